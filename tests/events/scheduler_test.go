package events_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/scheduler/types"
	"github.com/stretchr/testify/require"
)

var roleARN = aws.String("arn:aws:iam::000000000000:role/scheduler")

func TestSchedulerAtToSQS(t *testing.T) {
	t.Parallel()
	srv := virtualServer(t)
	c := clientsOf(srv)
	url, arn := newQueue(t, c, "q")
	// The virtual clock starts at the server's start time; schedule one hour ahead of it.
	at := time.Now().UTC().Add(time.Hour).Truncate(time.Minute)
	out, err := c.sch.CreateSchedule(ctx(t), &scheduler.CreateScheduleInput{
		Name: aws.String("once"), ScheduleExpression: aws.String("at(" + at.Format("2006-01-02T15:04:05") + ")"),
		FlexibleTimeWindow:    &types.FlexibleTimeWindow{Mode: types.FlexibleTimeWindowModeOff},
		ActionAfterCompletion: types.ActionAfterCompletionDelete,
		Target:                &types.Target{Arn: aws.String(arn), RoleArn: roleARN, Input: aws.String(`{"arn":"<aws.scheduler.schedule-arn>"}`)},
	})
	require.NoError(t, err)
	require.Equal(t, fmt.Sprintf("arn:aws:scheduler:us-east-1:%s:schedule/default/once", defaultAccount), aws.ToString(out.ScheduleArn))
	requireEmpty(t, c, url, "before the at() time")
	srv.AdvanceClock(t, 61*time.Minute)
	m := receiveN(t, c, url, 1)[0]
	require.JSONEq(t, fmt.Sprintf(`{"arn":%q}`, aws.ToString(out.ScheduleArn)), aws.ToString(m.Body))
	require.Eventually(t, func() bool {
		_, err := c.sch.GetSchedule(ctx(t), &scheduler.GetScheduleInput{Name: aws.String("once")})
		return err != nil
	}, 10*time.Second, 50*time.Millisecond, "ActionAfterCompletion DELETE deletes the schedule")
}

func TestSchedulerRateToSQSAndUniversalTarget(t *testing.T) {
	t.Parallel()
	srv := virtualServer(t)
	c := clientsOf(srv)
	url, arn := newQueue(t, c, "q")
	_, err := c.sch.CreateSchedule(ctx(t), &scheduler.CreateScheduleInput{
		Name: aws.String("rate"), ScheduleExpression: aws.String("rate(10 minutes)"),
		FlexibleTimeWindow: &types.FlexibleTimeWindow{Mode: types.FlexibleTimeWindowModeOff},
		Target:             &types.Target{Arn: aws.String(arn), RoleArn: roleARN, Input: aws.String("tick")},
	})
	require.NoError(t, err)
	uurl, _ := newQueue(t, c, "u")
	_, err = c.sch.CreateSchedule(ctx(t), &scheduler.CreateScheduleInput{
		Name: aws.String("universal"), ScheduleExpression: aws.String("rate(10 minutes)"),
		FlexibleTimeWindow: &types.FlexibleTimeWindow{Mode: types.FlexibleTimeWindowModeOff},
		Target: &types.Target{Arn: aws.String("arn:aws:scheduler:::aws-sdk:sqs:sendMessage"), RoleArn: roleARN,
			Input: aws.String(fmt.Sprintf(`{"QueueUrl":%q,"MessageBody":"via sdk"}`, uurl))},
	})
	require.NoError(t, err)
	srv.AdvanceClock(t, 10*time.Minute)
	require.Equal(t, "tick", aws.ToString(receiveN(t, c, url, 1)[0].Body))
	require.Equal(t, "via sdk", aws.ToString(receiveN(t, c, uurl, 1)[0].Body))
	srv.AdvanceClock(t, 10*time.Minute)
	receiveN(t, c, url, 1)

	list, err := c.sch.ListSchedules(ctx(t), &scheduler.ListSchedulesInput{})
	require.NoError(t, err)
	require.Len(t, list.Schedules, 2)
}

func TestSchedulerErrors(t *testing.T) {
	t.Parallel()
	c := clientsOf(sharedServer(t))
	off := &types.FlexibleTimeWindow{Mode: types.FlexibleTimeWindowModeOff}
	tgt := &types.Target{Arn: aws.String("arn:aws:sqs:us-east-1:000000000000:x"), RoleArn: roleARN}
	for _, expr := range []string{"rate(5 minutess)", "cron(0 12 * * * *)", "at(2026-13-01T00:00:00)"} {
		_, err := c.sch.CreateSchedule(ctx(t), &scheduler.CreateScheduleInput{Name: aws.String(uniqueName(t, "s")), ScheduleExpression: aws.String(expr), FlexibleTimeWindow: off, Target: tgt})
		requireCode(t, err, "ValidationException")
	}
	_, err := c.sch.CreateSchedule(ctx(t), &scheduler.CreateScheduleInput{Name: aws.String(uniqueName(t, "s")), ScheduleExpression: aws.String("rate(5 minutes)"),
		FlexibleTimeWindow: off, Target: &types.Target{Arn: aws.String("arn:aws:scheduler:::aws-sdk:ec2:runInstances"), RoleArn: roleARN, Input: aws.String("{}")}})
	requireCode(t, err, "ValidationException")
	_, err = c.sch.GetSchedule(ctx(t), &scheduler.GetScheduleInput{Name: aws.String(uniqueName(t, "none"))})
	requireCode(t, err, "ResourceNotFoundException")
	_, err = c.sch.GetScheduleGroup(ctx(t), &scheduler.GetScheduleGroupInput{Name: aws.String(uniqueName(t, "none"))})
	requireCode(t, err, "ResourceNotFoundException")
	g := uniqueName(t, "g")
	_, err = c.sch.CreateScheduleGroup(ctx(t), &scheduler.CreateScheduleGroupInput{Name: aws.String(g)})
	require.NoError(t, err)
	_, err = c.sch.CreateScheduleGroup(ctx(t), &scheduler.CreateScheduleGroupInput{Name: aws.String(g)})
	requireCode(t, err, "ConflictException")
	d, err := c.sch.GetScheduleGroup(ctx(t), &scheduler.GetScheduleGroupInput{Name: aws.String("default")})
	require.NoError(t, err)
	require.Equal(t, types.ScheduleGroupStateActive, d.State)
}
