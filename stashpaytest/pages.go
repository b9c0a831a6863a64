package stashpaytest

import (
	"bytes"
	"embed"
	"html/template"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	stashpay "github.com/stashpay/stashpay-go"
)

// The fake's pages (the hosted checkout page and the dashboard) are plain
// server-rendered HTML with one stylesheet, all embedded in the binary: they
// need nothing from the internet and no JavaScript.
//
//go:embed pages/*.html pages/style.css
var pageFiles embed.FS

var pageTemplates = template.Must(template.New("pages").Funcs(template.FuncMap{
	"since": func(t time.Time) string { return t.UTC().Format("15:04:05") },
	"ms":    func(d time.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) + " ms" },
}).ParseFS(pageFiles, "pages/*.html"))

var styleCSS = func() []byte {
	b, err := pageFiles.ReadFile("pages/style.css")
	if err != nil {
		panic(err)
	}
	return b
}()

// stylePath is where the pages' stylesheet is served.
const stylePath = "/assets/style.css"

func serveStyle(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "max-age=300")
	_, _ = w.Write(styleCSS)
}

// renderPage writes template name with data as an HTML page.
func renderPage(w http.ResponseWriter, status int, name string, data any) {
	var b bytes.Buffer
	if err := pageTemplates.ExecuteTemplate(&b, name, data); err != nil {
		http.Error(w, "rendering page: "+err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

// maxFormBytes bounds the body of a form posted to the fake's pages.
const maxFormBytes = 64 << 10

// readForm parses a form posted to the fake's pages (bounded), refusing a
// cross-site post; false when it answered the request with an error.
func readForm(w http.ResponseWriter, r *http.Request) bool {
	if !sameOrigin(r) {
		http.Error(w, "cross-site request refused", http.StatusForbidden)
		return false
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "invalid form", http.StatusBadRequest)
		return false
	}
	return true
}

// page serves h only for requests addressed to the fake by a name of its
// own (see ownHost); others are refused with 403.
func (s *Server) page(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.ownHost(r.Host) {
			http.Error(w, "unknown host: open the sandbox by its own address", http.StatusForbidden)
			return
		}
		h(w, r)
	}
}

// ownHost reports whether host (a request's Host) names the fake: an IP
// address, localhost, or the host of its URL ([WithPublicURL]). A page of
// another site whose DNS name is made to resolve to 127.0.0.1 (DNS
// rebinding) sends that name, and with it its own origin, so that
// sameOrigin alone would let it read the dashboard and pay, refund or send
// events signed with the webhook secret.
func (s *Server) ownHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if net.ParseIP(host) != nil || strings.EqualFold(host, "localhost") {
		return true
	}
	u, err := url.Parse(s.url)
	return err == nil && u.Hostname() != "" && strings.EqualFold(u.Hostname(), host)
}

// sameOrigin reports whether a state-changing request comes from the fake's
// own pages, so that another site open in the same browser cannot pay,
// refund or send events through the sandbox: a browser's form post carries
// Origin (and Sec-Fetch-Site); a request from curl or a test carries neither.
func sameOrigin(r *http.Request) bool {
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		return err == nil && u.Host == r.Host
	}
	return r.Header.Get("Sec-Fetch-Site") != "cross-site"
}

// priceText renders minor units at the checkout's scale with its currency,
// exactly (through stashpay.FormatMinor, never a float).
func priceText(minor int64, c *Checkout) string {
	a, err := stashpay.FormatMinor(minor, c.DecimalPlaces)
	if err != nil {
		return strconv.FormatInt(minor, 10) + " (minor units) " + c.Currency
	}
	return a.String() + " " + c.Currency
}
