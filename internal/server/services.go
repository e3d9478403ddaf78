package server

import (
	"github.com/overcast/overcast/internal/edge"
	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/services/apigateway"
	"github.com/overcast/overcast/internal/services/apigatewaymanagementapi"
	"github.com/overcast/overcast/internal/services/apigatewayv2"
	"github.com/overcast/overcast/internal/services/appflow"
	"github.com/overcast/overcast/internal/services/cognitoidentity"
	"github.com/overcast/overcast/internal/services/cognitoidp"
	"github.com/overcast/overcast/internal/services/events"
	"github.com/overcast/overcast/internal/services/firehose"
	"github.com/overcast/overcast/internal/services/glue"
	"github.com/overcast/overcast/internal/services/iam"
	"github.com/overcast/overcast/internal/services/kinesis"
	"github.com/overcast/overcast/internal/services/kinesisanalytics"
	"github.com/overcast/overcast/internal/services/kinesisanalyticsv2"
	"github.com/overcast/overcast/internal/services/kinesisvideo"
	"github.com/overcast/overcast/internal/services/kinesisvideoarchivedmedia"
	"github.com/overcast/overcast/internal/services/kinesisvideomedia"
	"github.com/overcast/overcast/internal/services/logs"
	"github.com/overcast/overcast/internal/services/mq"
	"github.com/overcast/overcast/internal/services/s3"
	"github.com/overcast/overcast/internal/services/scheduler"
	"github.com/overcast/overcast/internal/services/sqs"
	"github.com/overcast/overcast/internal/services/states"
	"github.com/overcast/overcast/internal/services/sts"
	"github.com/overcast/overcast/internal/services/swf"
)

// buildServices lists every service Overcast serves, explicitly: the order is the start
// order. Services without semantics yet answer NotImplemented for every operation.
func (s *Server) buildServices() []service {
	q := sqs.New(sqs.Deps{
		Store:  s.db,
		Clock:  s.clock,
		Logger: s.logger.With("service", "sqs"),
		Config: sqs.Config{URLStyle: s.cfg.SQSURLStyle},
	})
	// Subscription filters deliver to Lambda, which is built after CloudWatch Logs.
	logsFns := &logsFunctions{}
	lg := logs.New(logs.Deps{
		Store:     s.db,
		Clock:     s.clock,
		Logger:    s.logger.With("service", "logs"),
		Functions: logsFns,
	})
	// S3 holds Lambda's code and layer packages given as Code.S3Bucket/S3Key.
	// Event notifications reach SQS, SNS, Lambda and EventBridge through s3Notifier.
	objects := s3.New(s3.Deps{Store: s.db, Clock: s.clock, Logger: s.logger.With("service", "s3"),
		Dispatcher: s.delivery, Notify: s3Notifier{s: s, q: q}})
	// CloudWatch metrics is built before the services that publish to it.
	mon := s.newMonitoring()
	// Lambda is built before the services whose targets invoke functions.
	lamSvc, lam := s.newLambda(lg, q, objects)
	logsFns.l = lam
	pub := &snsPublisher{}
	ev := events.New(events.Deps{
		Store:      s.db,
		Clock:      s.clock,
		Logger:     s.logger.With("service", "events"),
		Dispatcher: s.delivery,
		Timers:     s.timers,
		SendToSQS:  sendToSQS(q),
		EmitLogs:   emitLogs(lg),
		// Lambda targets are invoked asynchronously (InvocationType Event), as AWS does.
		InvokeFunction: lam.InvokeEvent,
		// PublishToSNS is bound to the SNS service once it is built, below.
		PublishToSNS: pub.publish,
	})
	sch := scheduler.New(scheduler.Deps{
		Store:          s.db,
		Clock:          s.clock,
		Logger:         s.logger.With("service", "scheduler"),
		Dispatcher:     s.delivery,
		Timers:         s.timers,
		SendToSQS:      sendToSQS(q),
		PutEvent:       ev.PutEventToBus,
		InvokeFunction: lam.InvokeEvent,
		PublishToSNS:   pub.publish,
		Universal:      universalTargets{s},
	})
	s.sts = sts.New(sts.Deps{Store: s.db, Clock: s.clock, Logger: s.logger.With("service", "sts")})
	svcs := []service{
		{
			entry: edgeService(sqs.Info, q),
			start: q.Start,
			stop:  q.Stop,
			reset: q.Reset,
		},
		stub(apigateway.Info, apigateway.New()),
		stub(apigatewaymanagementapi.Info, apigatewaymanagementapi.New()),
		stub(apigatewayv2.Info, apigatewayv2.New()),
		stub(appflow.Info, appflow.New()),
		stub(cognitoidentity.Info, cognitoidentity.New()),
		stub(cognitoidp.Info, cognitoidp.New()),
		{entry: edgeService(events.Info, ev), reset: ev.Reset},
		stub(firehose.Info, firehose.New()),
		stub(glue.Info, glue.New()),
		{entry: edgeService(iam.Info, iam.New(iam.Deps{Store: s.db, Clock: s.clock, Logger: s.logger.With("service", "iam")}))},
		stub(kinesis.Info, kinesis.New()),
		stub(kinesisanalytics.Info, kinesisanalytics.New()),
		stub(kinesisanalyticsv2.Info, kinesisanalyticsv2.New()),
		stub(kinesisvideo.Info, kinesisvideo.New()),
		stub(kinesisvideoarchivedmedia.Info, kinesisvideoarchivedmedia.New()),
		stub(kinesisvideomedia.Info, kinesisvideomedia.New()),
		lamSvc,
		{
			entry: edgeService(logs.Info, lg),
			start: lg.Start,
			stop:  lg.Stop,
			reset: lg.Reset,
		},
		mon,
		stub(mq.Info, mq.New()),
		{entry: edgeService(s3.Info, objects), reset: objects.Reset},
		{entry: edgeService(scheduler.Info, sch)},
		s.newSNS(q, lam, lg),
		stub(states.Info, states.New()),
		{entry: edgeService(sts.Info, s.sts), reset: s.sts.Reset},
		stub(swf.Info, swf.New()),
	}
	pub.bind(svcs)
	return svcs
}

// stub is a service with no background work and no state.
func stub(info *protocol.ServiceInfo, api any) service {
	return service{entry: edgeService(info, api)}
}

func edgeService(info *protocol.ServiceInfo, api any) edge.Service {
	return edge.Service{Info: info, API: api}
}
