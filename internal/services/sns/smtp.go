package sns

import (
	"context"
	"fmt"
	"net"
	"net/smtp"
	"strings"
	"time"
)

// sendMail delivers an email or email-json message through the SMTP server at
// Config.SMTPAddr (plain SMTP, no authentication: a local relay or a test mail catcher
// such as MailHog).
func (s *Service) sendMail(ctx context.Context, to, subject, body string) error {
	d := net.Dialer{Timeout: 10 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", s.cfg.SMTPAddr)
	if err != nil {
		return fmt.Errorf("dial smtp %s: %w", s.cfg.SMTPAddr, err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	} else {
		_ = conn.SetDeadline(time.Now().Add(time.Minute))
	}
	host, _, _ := net.SplitHostPort(s.cfg.SMTPAddr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		return fmt.Errorf("smtp hello: %w", err)
	}
	defer c.Close()
	from := s.cfg.SMTPFrom
	if from == "" {
		from = "no-reply@sns.amazonaws.com"
	}
	if err := c.Mail(from); err != nil {
		return fmt.Errorf("smtp mail from: %w", err)
	}
	if err := c.Rcpt(to); err != nil {
		return fmt.Errorf("smtp rcpt to %s: %w", to, err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("smtp data: %w", err)
	}
	if subject == "" {
		subject = "AWS Notification Message"
	}
	msg := "From: AWS Notifications <" + from + ">\r\nTo: " + to + "\r\nSubject: " + headerSafe(subject) +
		"\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n" + strings.ReplaceAll(body, "\n", "\r\n") + "\r\n"
	if _, err := w.Write([]byte(msg)); err != nil {
		return fmt.Errorf("smtp write: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("smtp end of data: %w", err)
	}
	return c.Quit()
}

// headerSafe drops line breaks, so that a subject cannot inject headers.
func headerSafe(s string) string {
	return strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
}
