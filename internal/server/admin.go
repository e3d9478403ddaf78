package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/overcast/overcast/internal/clock"
)

// adminHandler serves the /_overcast/ routes the server owns: reset and clock. The edge
// serves health and metrics itself and hands everything else under /_overcast/ here.
func (s *Server) adminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /_overcast/reset", s.handleReset)
	mux.HandleFunc("GET /_overcast/clock", s.handleClockGet)
	mux.HandleFunc("POST /_overcast/clock", s.handleClockPost)
	// Profiles of the running server, for finding where time goes under load.
	// net/http/pprof finds profile names under /debug/pprof/, hence the prefix strip.
	prof := http.NewServeMux()
	prof.HandleFunc("/debug/pprof/", pprof.Index)
	prof.HandleFunc("/debug/pprof/profile", pprof.Profile)
	prof.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.Handle("GET /_overcast/debug/pprof/", http.StripPrefix("/_overcast", prof))
	s.snsRoutes(mux)
	s.lambdaRoutes(mux)
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// handleReset wipes all state, or one service's with ?service=sqs.
func (s *Server) handleReset(w http.ResponseWriter, r *http.Request) {
	svc := r.URL.Query().Get("service")
	if err := s.Reset(r.Context(), svc); err != nil {
		status := http.StatusInternalServerError
		if errors.Is(err, errUnknownService) {
			status = http.StatusBadRequest
		}
		writeJSON(w, status, map[string]string{"error": err.Error()})
		return
	}
	if svc == "" {
		svc = "all"
	}
	writeJSON(w, http.StatusOK, map[string]string{"reset": svc})
}

type clockState struct {
	Mode string `json:"mode"`
	Now  string `json:"now"`
}

func (s *Server) clockState() clockState {
	mode := "real"
	if _, ok := s.clock.(*clock.Virtual); ok {
		mode = "virtual"
	}
	return clockState{Mode: mode, Now: s.clock.Now().UTC().Format(time.RFC3339Nano)}
}

func (s *Server) handleClockGet(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.clockState())
}

// handleClockPost moves the virtual clock: {"advance":"90s"} or {"set":"2026-01-02T03:04:05Z"}.
func (s *Server) handleClockPost(w http.ResponseWriter, r *http.Request) {
	v, ok := s.clock.(*clock.Virtual)
	if !ok {
		writeJSON(w, http.StatusConflict, map[string]string{"error": "the clock is real; start Overcast with --clock=virtual to move it"})
		return
	}
	var req struct {
		Advance string `json:"advance"`
		Set     string `json:"set"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "body must be JSON: {\"advance\":\"90s\"} or {\"set\":\"<RFC 3339 time>\"}"})
		return
	}
	switch {
	case req.Advance != "" && req.Set == "":
		d, err := time.ParseDuration(req.Advance)
		if err != nil || d < 0 {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "advance must be a non-negative Go duration such as 90s or 2h"})
			return
		}
		v.Advance(d)
	case req.Set != "" && req.Advance == "":
		t, err := time.Parse(time.RFC3339Nano, req.Set)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "set must be an RFC 3339 time"})
			return
		}
		if t.Before(v.Now()) {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "the clock never moves backwards"})
			return
		}
		v.Set(t)
	default:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "give exactly one of advance or set"})
		return
	}
	writeJSON(w, http.StatusOK, s.clockState())
}
