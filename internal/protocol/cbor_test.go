package protocol

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRPCv2Path(t *testing.T) {
	t.Parallel()
	tests := []struct {
		path, service, op string
		ok                bool
	}{
		{path: "/service/GraniteServiceVersion20100801/operation/PutMetricData", service: "GraniteServiceVersion20100801", op: "PutMetricData", ok: true},
		{path: "/prefix/service/S/operation/Op", service: "S", op: "Op", ok: true},
		{path: "/service/S/operation/", ok: false},
		{path: "/service//operation/Op", ok: false},
		{path: "/service/S/operations/Op", ok: false},
		{path: "/", ok: false},
		{path: "", ok: false},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			t.Parallel()
			svc, op, ok := RPCv2Path(tt.path)
			require.Equal(t, tt.ok, ok)
			require.Equal(t, tt.service, svc)
			require.Equal(t, tt.op, op)
		})
	}
}
