package edge

import (
	"log/slog"
	"net/http"
	"time"
)

// Server returns an *http.Server for e on addr that speaks HTTP/1.1 and unencrypted
// HTTP/2 with prior knowledge (h2c) on the same port: the JavaScript SDK v3 sends Kinesis
// calls over HTTP/2, and event-stream APIs need it. There is no read or write timeout on
// the whole request, since uploads can be large and long polls last 20 seconds; headers
// must arrive within 30 seconds and idle connections close after two minutes.
func (e *Edge) Server(addr string) *http.Server {
	var p http.Protocols
	p.SetHTTP1(true)
	p.SetUnencryptedHTTP2(true)
	return &http.Server{
		Addr:              addr,
		Handler:           e,
		Protocols:         &p,
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    1 << 20,
		ErrorLog:          slog.NewLogLogger(e.logger.Handler(), slog.LevelWarn),
	}
}
