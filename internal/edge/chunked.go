package edge

import (
	"bytes"
	"crypto/hmac"
	"encoding/hex"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"

	"github.com/overcast/overcast/internal/protocol"
)

// The aws-chunked content encoding carries an S3 upload as signed or unsigned chunks,
// optionally followed by trailing checksum headers:
// https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html. The edge removes
// it, so codecs see the object bytes and the trailers as headers.

// isAWSChunked reports whether the body of r is aws-chunked.
func isAWSChunked(r *http.Request) bool {
	if strings.HasPrefix(headerValue(r.Header, "X-Amz-Content-Sha256"), "STREAMING-") {
		return true
	}
	for _, v := range r.Header["Content-Encoding"] {
		if strings.Contains(v, "aws-chunked") {
			return true
		}
	}
	return false
}

// awsChunk is one chunk of an aws-chunked body.
type awsChunk struct {
	data []byte
	sig  string
}

// awsChunkedBody is a parsed aws-chunked body.
type awsChunkedBody struct {
	chunks []awsChunk
	// trailers are the trailing headers in order, "name:value" as sent.
	trailers []string
	// trailerSig is the x-amz-trailer-signature, if any.
	trailerSig string
}

var errBadChunked = protocol.NewError("IncompleteBody", http.StatusBadRequest, "The request body is not valid aws-chunked encoding.")

// parseAWSChunked parses body; the last chunk is the empty one.
func parseAWSChunked(body []byte) (*awsChunkedBody, *protocol.Error) {
	var out awsChunkedBody
	for {
		line, rest, ok := bytes.Cut(body, []byte("\r\n"))
		if !ok {
			return nil, errBadChunked
		}
		sizeHex, ext, _ := bytes.Cut(line, []byte(";"))
		size, err := strconv.ParseUint(string(bytes.TrimSpace(sizeHex)), 16, 63)
		if err != nil || size > uint64(len(rest)) {
			return nil, errBadChunked
		}
		c := awsChunk{data: rest[:size]}
		if k, v, ok := bytes.Cut(ext, []byte("=")); ok && string(bytes.TrimSpace(k)) == "chunk-signature" {
			c.sig = string(bytes.TrimSpace(v))
		}
		out.chunks = append(out.chunks, c)
		body = rest[size:]
		if size == 0 {
			break
		}
		if !bytes.HasPrefix(body, []byte("\r\n")) {
			return nil, errBadChunked
		}
		body = body[2:]
	}
	// Trailers follow the empty chunk, one per line, up to an empty line.
	for len(body) > 0 {
		line, rest, ok := bytes.Cut(body, []byte("\r\n"))
		if !ok {
			// A final line without CRLF ends the body too.
			line, rest = body, nil
		}
		body = rest
		if len(line) == 0 {
			continue
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return nil, errBadChunked
		}
		if strings.EqualFold(string(bytes.TrimSpace(name)), "x-amz-trailer-signature") {
			out.trailerSig = string(bytes.TrimSpace(value))
			continue
		}
		out.trailers = append(out.trailers, strings.ToLower(string(bytes.TrimSpace(name)))+":"+string(bytes.TrimSpace(value)))
	}
	return &out, nil
}

// decodeAWSChunked returns the payload of an aws-chunked body and moves its trailers into
// h; it drops aws-chunked from Content-Encoding and sets Content-Length to the payload's.
func decodeAWSChunked(body []byte, h http.Header) ([]byte, *protocol.Error) {
	p, perr := parseAWSChunked(body)
	if perr != nil {
		return nil, perr
	}
	n := 0
	for _, c := range p.chunks {
		n += len(c.data)
	}
	out := make([]byte, 0, n)
	for _, c := range p.chunks {
		out = append(out, c.data...)
	}
	for _, t := range p.trailers {
		name, value, _ := strings.Cut(t, ":")
		h.Set(textproto.CanonicalMIMEHeaderKey(name), value)
	}
	if ce := h.Values("Content-Encoding"); len(ce) > 0 {
		var keep []string
		for _, v := range ce {
			for _, item := range strings.Split(v, ",") {
				if item = strings.TrimSpace(item); item != "" && item != "aws-chunked" {
					keep = append(keep, item)
				}
			}
		}
		if len(keep) == 0 {
			h.Del("Content-Encoding")
		} else {
			h.Set("Content-Encoding", strings.Join(keep, ","))
		}
	}
	h.Set("Content-Length", strconv.Itoa(len(out)))
	return out, nil
}

// verifyChunks checks the chunk signatures of a STREAMING-AWS4-HMAC-SHA256-PAYLOAD body,
// each chained to the previous one from the seed signature of the headers, and the
// trailer signature when the body has one.
func (v *verifier) verifyChunks(body []byte, sig *signature, secret string) *authFailure {
	p, perr := parseAWSChunked(body)
	if perr != nil {
		return &authFailure{kind: authMalformed, msg: perr.Message}
	}
	key := v.signingKey(secret, sig.date, sig.region, sig.service)
	prev := strings.ToLower(sig.sig)
	scope := sig.scope()
	for _, c := range p.chunks {
		sts := "AWS4-HMAC-SHA256-PAYLOAD\n" + sig.amzDate + "\n" + scope + "\n" + prev + "\n" + emptySHA256 + "\n" + sha256Hex(c.data)
		want := hex.EncodeToString(hmacSHA256(key, sts))
		if !hmac.Equal([]byte(want), []byte(strings.ToLower(c.sig))) {
			return &authFailure{kind: authMismatch, stringToSign: sts}
		}
		prev = want
	}
	if p.trailerSig != "" {
		var canon strings.Builder
		for _, t := range p.trailers {
			canon.WriteString(t)
			canon.WriteByte('\n')
		}
		sts := "AWS4-HMAC-SHA256-TRAILER\n" + sig.amzDate + "\n" + scope + "\n" + prev + "\n" + sha256Hex([]byte(canon.String()))
		want := hex.EncodeToString(hmacSHA256(key, sts))
		if !hmac.Equal([]byte(want), []byte(strings.ToLower(p.trailerSig))) {
			return &authFailure{kind: authMismatch, stringToSign: sts}
		}
	}
	return nil
}
