package sns

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"time"

	"github.com/overcast/overcast/internal/store"
)

// signer holds Overcast's SNS signing key and its self-signed certificate. The key is
// generated once and kept in the store (sns_records, kind "signing"), so every node and
// every restart signs with the same key and SigningCertURL keeps serving the certificate
// that verifies old messages.
type signer struct {
	mu      sync.RWMutex
	key     *rsa.PrivateKey
	certPEM []byte
	stored  string

	// recent caches signatures by canonical string: a message fanned out to many
	// subscriptions is signed once (UnsubscribeURL, the only field that differs, is not
	// signed). Cleared when it reaches maxRecentSignatures.
	cacheMu sync.Mutex
	recent  map[[32]byte]string
}

const maxRecentSignatures = 4096

const signingKind, signingName = "signing", "key"

// load reads the key from db, or generates and stores one.
func (g *signer) load(ctx context.Context, db *store.DB, now time.Time) error {
	v, err := db.SNSRecordGet(ctx, "", "", signingKind, signingName)
	if errors.Is(err, store.ErrNotFound) {
		fresh, gerr := generateSigning(now)
		if gerr != nil {
			return gerr
		}
		// Another node may have stored its key first; everyone uses the stored one.
		v, err = db.SNSRecordInsert(ctx, "", "", signingKind, signingName, fresh)
	}
	if err != nil {
		return err
	}
	return g.parse(v)
}

// save stores the key in use again (after a reset emptied the table).
func (g *signer) save(ctx context.Context, db *store.DB) error {
	g.mu.RLock()
	v := g.stored
	g.mu.RUnlock()
	if v == "" {
		return nil
	}
	_, err := db.SNSRecordInsert(ctx, "", "", signingKind, signingName, v)
	return err
}

func generateSigning(now time.Time) (string, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return "", fmt.Errorf("generate key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(now.UnixNano()),
		Subject:      pkix.Name{CommonName: "sns.amazonaws.com", Organization: []string{"Overcast"}},
		NotBefore:    now.Add(-24 * time.Hour),
		NotAfter:     now.Add(20 * 365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return "", fmt.Errorf("create certificate: %w", err)
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	return string(keyPEM) + string(certPEM), nil
}

func (g *signer) parse(v string) error {
	rest := []byte(v)
	var key *rsa.PrivateKey
	var cert []byte
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		switch b.Type {
		case "RSA PRIVATE KEY":
			k, err := x509.ParsePKCS1PrivateKey(b.Bytes)
			if err != nil {
				return fmt.Errorf("parse signing key: %w", err)
			}
			key = k
		case "CERTIFICATE":
			cert = pem.EncodeToMemory(b)
		}
	}
	if key == nil || cert == nil {
		return errors.New("stored signing key is incomplete")
	}
	g.mu.Lock()
	g.key, g.certPEM, g.stored = key, cert, v
	g.mu.Unlock()
	g.cacheMu.Lock()
	g.recent = nil
	g.cacheMu.Unlock()
	return nil
}

// cert returns the PEM certificate, nil before load.
func (g *signer) cert() []byte {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return g.certPEM
}

// sign returns the base64 signature of the canonical string of fields under version "1"
// (SHA1withRSA) or "2" (SHA256withRSA).
func (g *signer) sign(version, canonical string) (string, error) {
	k := sha256.Sum256([]byte(version + "\n" + canonical))
	g.cacheMu.Lock()
	sig, ok := g.recent[k]
	g.cacheMu.Unlock()
	if ok {
		return sig, nil
	}
	sig, err := g.signUncached(version, canonical)
	if err != nil {
		return "", err
	}
	g.cacheMu.Lock()
	if g.recent == nil || len(g.recent) >= maxRecentSignatures {
		g.recent = make(map[[32]byte]string, 64)
	}
	g.recent[k] = sig
	g.cacheMu.Unlock()
	return sig, nil
}

func (g *signer) signUncached(version, canonical string) (string, error) {
	g.mu.RLock()
	key := g.key
	g.mu.RUnlock()
	if key == nil {
		return "", errors.New("sns signing key not loaded")
	}
	var (
		h   crypto.Hash
		sum []byte
	)
	if version == "2" {
		d := sha256.Sum256([]byte(canonical))
		h, sum = crypto.SHA256, d[:]
	} else {
		d := sha1.Sum([]byte(canonical))
		h, sum = crypto.SHA1, d[:]
	}
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, h, sum)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}

// canonicalString builds the string SNS signs, as AWS documents for verifying message
// signatures: "Name\nValue\n" for each signed field in this order, Subject only when the
// notification has one.
// https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message-verify-message-signature.html
func canonicalString(e *envelope) string {
	var b strings.Builder
	add := func(k, v string) { b.WriteString(k + "\n" + v + "\n") }
	add("Message", e.Message)
	add("MessageId", e.MessageID)
	if e.Type == "Notification" {
		if e.Subject != nil {
			add("Subject", *e.Subject)
		}
		add("Timestamp", e.Timestamp)
		add("TopicArn", e.TopicARN)
		add("Type", e.Type)
		return b.String()
	}
	add("SubscribeURL", e.SubscribeURL)
	add("Timestamp", e.Timestamp)
	add("Token", e.Token)
	add("TopicArn", e.TopicARN)
	add("Type", e.Type)
	return b.String()
}
