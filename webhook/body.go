package webhook

import (
	"errors"
	"io"
	"net/http"
)

// Canned response bodies. Only 200 {} tells Stash a delivery succeeded.
var (
	bodyOK               = []byte("{}")
	bodyMethodNotAllowed = []byte(`{"error":"method not allowed"}`)
	bodyTooLarge         = []byte(`{"error":"request body too large"}`)
	bodyUnreadable       = []byte(`{"error":"request body could not be read"}`)
	bodyUnauthorized     = []byte(`{"error":"invalid or missing signature"}`)
	bodyMalformed        = []byte(`{"error":"malformed event"}`)
	bodyBusy             = []byte(`{"error":"event is being processed by another delivery"}`)
	bodyStoreFailed      = []byte(`{"error":"exactly-once store unavailable"}`)
	bodyFailed           = []byte(`{"error":"event handler failed"}`)
)

// respond writes a JSON answer with status code.
func respond(w http.ResponseWriter, code int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	_, _ = w.Write(body)
}

// methodNotAllowed answers 405 with the Allow header.
func methodNotAllowed(w http.ResponseWriter) {
	w.Header().Set("Allow", http.MethodPost)
	respond(w, http.StatusMethodNotAllowed, bodyMethodNotAllowed)
}

// initialBodyCap bounds the buffer allocated from an announced
// Content-Length before any byte is read; larger bodies grow it as they
// arrive.
const initialBodyCap int64 = 64 << 10

// errBodyTooLarge reports a body over the limit.
var errBodyTooLarge = errors.New("webhook: request body too large")

// readBody reads r's body, at most limit bytes, through http.MaxBytesReader.
// It returns errBodyTooLarge for larger bodies and the reader's error for
// others.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, errBodyTooLarge
	}
	if r.Body == nil || r.Body == http.NoBody {
		return []byte{}, nil
	}
	body := http.MaxBytesReader(w, r.Body, limit)
	defer body.Close()
	size := 512
	if r.ContentLength >= 0 {
		// One byte more than announced, so that EOF is seen without growing,
		// but never more than initialBodyCap before the bytes arrive: the
		// sender is not authenticated yet and Content-Length may lie.
		size = int(min(r.ContentLength, initialBodyCap-1)) + 1
	}
	buf := make([]byte, 0, size)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return nil, errBodyTooLarge
			}
			return nil, err
		}
	}
}

// rejectBody answers a readBody error with 413 or 400.
func rejectBody(w http.ResponseWriter, err error) int {
	if errors.Is(err, errBodyTooLarge) {
		respond(w, http.StatusRequestEntityTooLarge, bodyTooLarge)
		return http.StatusRequestEntityTooLarge
	}
	respond(w, http.StatusBadRequest, bodyUnreadable)
	return http.StatusBadRequest
}
