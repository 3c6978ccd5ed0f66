package server

import (
	"context"
	"crypto/tls"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/db"
	"github.com/mini-redis/mini-redis/internal/redistest"
	"go.uber.org/zap"
)

// startTLSServerClock is startTLSServer on clock (nil: the system's),
// without client certificates, with a plaintext port too for CONFIG SET.
func startTLSServerClock(t *testing.T, clock db.Clock, args ...string) (*Server, string) {
	t.Helper()
	pki := newTestPKI(t)
	certFile, keyFile, _ := pki.issue("server", true, "")
	port, err := redistest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	plain, err := redistest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	all := append([]string{"--bind", "127.0.0.1", "--port", strconv.Itoa(plain), "--save", "", "--admin-port", "0",
		"--tls-port", strconv.Itoa(port),
		"--tls-cert-file", certFile, "--tls-key-file", keyFile, "--tls-auth-clients", "no"}, args...)
	srv, err := New(all, Options{Logger: zap.NewNop(), Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return srv, srv.TLSAddr().String()
}

// tlsClient is a client's side of resumption: the sessions it keeps.
type tlsClient struct {
	t     *testing.T
	addr  string
	cfg   *tls.Config
	proto uint16
}

func newTLSClient(t *testing.T, addr string, version uint16) *tlsClient {
	return &tlsClient{t: t, addr: addr, proto: version, cfg: &tls.Config{
		InsecureSkipVerify: true, // the certificate is not what is tested
		ClientSessionCache: tls.NewLRUClientSessionCache(8),
		MinVersion:         version, MaxVersion: version,
	}}
}

// connect handshakes, runs PING (in TLS 1.3 the session comes after the
// handshake, with the first reply), and reports whether the session was
// resumed.
func (c *tlsClient) connect() bool {
	c.t.Helper()
	conn, err := tls.Dial("tcp", c.addr, c.cfg)
	if err != nil {
		c.t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := conn.Write([]byte("PING\r\n")); err != nil {
		c.t.Fatal(err)
	}
	buf := make([]byte, 7)
	if _, err := conn.Read(buf); err != nil || string(buf) != "+PONG\r\n" {
		c.t.Fatalf("PING over TLS: %q, %v", buf, err)
	}
	if v := conn.ConnectionState().Version; v != c.proto {
		c.t.Fatalf("negotiated %s, want %s", tls.VersionName(v), tls.VersionName(c.proto))
	}
	return conn.ConnectionState().DidResume
}

// Sessions resume from the server's cache for tls-session-cache-timeout
// seconds of its clock (counted from the last handshake, which renews the
// client's ticket), at most tls-session-cache-size of them (the oldest
// go first), and not at all with tls-session-caching no; CONFIG SET of any
// of them applies to the next handshake.
func TestTLSSessionCache(t *testing.T) {
	for _, version := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		t.Run(tls.VersionName(version), func(t *testing.T) {
			clock := db.NewManualClock(time.Unix(1_700_000_000, 0))
			srv, addr := startTLSServerClock(t, clock)

			a := newTLSClient(t, addr, version)
			if a.connect() {
				t.Fatal("the first handshake resumed a session")
			}
			if !a.connect() {
				t.Fatal("the second handshake did not resume")
			}
			clock.Advance(299 * time.Second)
			if !a.connect() {
				t.Error("a session 299 s old was not resumed (timeout 300)")
			}
			clock.Advance(2 * time.Second) // the newest session is from 299 s
			b := newTLSClient(t, addr, version)
			b.connect()
			clock.Advance(299 * time.Second)
			if a.connect() {
				t.Error("a session 301 s old was resumed (timeout 300)")
			}
			if !b.connect() {
				t.Error("b's session, 299 s old, was not resumed")
			}

			configSet(t, srv, "tls-session-cache-size", "1")
			a, b = newTLSClient(t, addr, version), newTLSClient(t, addr, version)
			a.connect()
			b.connect() // pushes a's session out
			if a.connect() {
				t.Error("a session evicted by tls-session-cache-size 1 was resumed")
			}
			if n := srv.settings.tlsSessions.len(); n != 1 {
				t.Errorf("%d sessions kept, want 1", n)
			}

			// 0 is OpenSSL's default, as in Redis: two hours.
			configSet(t, srv, "tls-session-cache-size", "0", "tls-session-cache-timeout", "0")
			c := newTLSClient(t, addr, version)
			c.connect()
			clock.Advance(7199 * time.Second)
			if !c.connect() {
				t.Error("a session 7199 s old was not resumed with tls-session-cache-timeout 0")
			}
			clock.Advance(7201 * time.Second) // since the ticket the resumption renewed
			if c.connect() {
				t.Error("a session 7201 s old was resumed with tls-session-cache-timeout 0")
			}

			configSet(t, srv, "tls-session-cache-timeout", "300", "tls-session-caching", "no")
			d := newTLSClient(t, addr, version)
			d.connect()
			if d.connect() {
				t.Error("a session was resumed with tls-session-caching no")
			}
		})
	}
}

// configSet runs CONFIG SET on srv's plaintext port.
func configSet(t *testing.T, srv *Server, args ...string) {
	t.Helper()
	if got := dialRaw(t, srv.Addr().String()).do(append([]string{"CONFIG", "SET"}, args...)...); got != "+OK\r\n" {
		t.Fatalf("CONFIG SET %q: %q", args, got)
	}
}

// With tls-prefer-server-ciphers no (Redis's default) a TLS 1.2 client's
// order of cipher suites wins, as OpenSSL does it; with yes the server's
// (Go's, which puts AES-GCM before CBC). openssl s_client offers CBC first.
func TestTLSPreferServerCiphers(t *testing.T) {
	openssl := redistest.Require(t, "openssl")
	srv, addr := startTLSServerClock(t, nil)
	for _, tc := range []struct{ prefer, want string }{
		{"no", "ECDHE-RSA-AES128-SHA"},
		{"yes", "ECDHE-RSA-AES256-GCM-SHA384"},
	} {
		t.Run(tc.prefer, func(t *testing.T) {
			configSet(t, srv, "tls-prefer-server-ciphers", tc.prefer)
			cmd := exec.Command(openssl, "s_client", "-connect", addr, "-tls1_2",
				"-cipher", "ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-GCM-SHA384")
			cmd.Stdin = strings.NewReader("")
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("openssl s_client: %v\n%s", err, out)
			}
			if want := "Cipher is " + tc.want; !strings.Contains(string(out), want) {
				t.Errorf("tls-prefer-server-ciphers %s: no %q in\n%s", tc.prefer, want, out)
			}
		})
	}
}

// clientPreferredConfig picks the client's first suite that the server
// allows and its key can sign for, and leaves TLS 1.3 handshakes to Go.
func TestClientPreferredConfig(t *testing.T) {
	pki := newTestPKI(t)
	_, _, rsaPair := pki.issue("server", true, "")
	const (
		ecdsaGCM = tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
		rsaCBC   = tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA
		rsaGCM   = tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
		rsaKex   = tls.TLS_RSA_WITH_AES_128_GCM_SHA256
	)
	for _, tc := range []struct {
		name     string
		allowed  []uint16
		max      uint16
		versions []uint16
		offered  []uint16
		want     []uint16 // nil: cfg unchanged
	}{
		{"client order wins", nil, 0, []uint16{tls.VersionTLS12}, []uint16{rsaCBC, rsaGCM}, []uint16{rsaCBC}},
		{"suites the key cannot sign for are passed over", nil, 0, []uint16{tls.VersionTLS12}, []uint16{ecdsaGCM, rsaGCM}, []uint16{rsaGCM}},
		{"RSA key exchange is off by default", nil, 0, []uint16{tls.VersionTLS12}, []uint16{rsaKex, rsaGCM}, []uint16{rsaGCM}},
		{"tls-ciphers limits the choice", []uint16{rsaGCM}, 0, []uint16{tls.VersionTLS12}, []uint16{rsaCBC, rsaGCM}, []uint16{rsaGCM}},
		{"TLS 1.3 is Go's to choose", nil, 0, []uint16{tls.VersionTLS13, tls.VersionTLS12}, []uint16{rsaCBC}, nil},
		{"TLS 1.3 off: 1.2 after all", nil, tls.VersionTLS12, []uint16{tls.VersionTLS13, tls.VersionTLS12}, []uint16{rsaCBC, rsaGCM}, []uint16{rsaCBC}},
		{"nothing in common", nil, 0, []uint16{tls.VersionTLS12}, []uint16{ecdsaGCM}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := &tls.Config{Certificates: []tls.Certificate{rsaPair}, CipherSuites: tc.allowed, MaxVersion: tc.max}
			got := clientPreferredConfig(cfg, &tls.ClientHelloInfo{CipherSuites: tc.offered, SupportedVersions: tc.versions})
			if tc.want == nil {
				if got != cfg {
					t.Errorf("cfg narrowed to %v, want it unchanged", got.CipherSuites)
				}
				return
			}
			if !slices.Equal(got.CipherSuites, tc.want) {
				t.Errorf("suites %v, want %v", got.CipherSuites, tc.want)
			}
		})
	}
}
