package main

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"time"
)

// serveCeiling runs the zero-work server on addr until ctx ends. It keeps nothing and
// answers each request with a fixed, well-formed reply of the service it is addressed to,
// so its throughput is what this client and loopback HTTP reach on this machine.
func serveCeiling(ctx context.Context, addr string, gs []*group) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           ceilingHandler(gs),
		ReadHeaderTimeout: 10 * time.Second,
	}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func ceilingHandler(gs []*group) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			// Readiness probe.
			w.WriteHeader(http.StatusOK)
			return
		}
		for _, g := range gs {
			if g.ceiling == nil {
				continue
			}
			if h := g.ceiling(r); h != nil {
				h(w, r)
				return
			}
		}
		http.Error(w, "no ceiling reply for this request", http.StatusBadRequest)
	})
}

// writeFixed writes a precomputed reply with an explicit length.
func writeFixed(w http.ResponseWriter, contentType string, body []byte) {
	h := w.Header()
	h["Content-Type"] = []string{contentType}
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	h["X-Amzn-Requestid"] = []string{"00000000-0000-0000-0000-000000000000"}
	_, _ = w.Write(body)
}
