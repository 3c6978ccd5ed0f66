package server

import (
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mini-redis/mini-redis/internal/redistest"
)

// Differential tests of what a TLS client sees: whose order of cipher
// suites wins (tls-prefer-server-ciphers) and that a session resumes,
// against a redis-server with TLS on the same settings, through openssl
// s_client. The session cache's limits are tested on the server's clock
// in TestTLSSessionCache; where Redis on OpenSSL 3 ignores them (see
// tls_session.go) they are not compared.
func TestTLSAgainstRedis(t *testing.T) {
	openssl := redistest.Require(t, "openssl")
	pki := newTestPKI(t)
	certFile, keyFile, _ := pki.issue("server", true, "")
	tlsPort, err := redistest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	ref := redistest.Start(t, "tls-port", strconv.Itoa(tlsPort), "tls-cert-file", certFile, "tls-key-file", keyFile,
		"tls-auth-clients", "no")
	refTLS := "127.0.0.1:" + strconv.Itoa(tlsPort)
	ours, oursTLS := startTLSServerClock(t, nil)
	sessions := t.TempDir()

	// sClient runs openssl s_client against addr with TLS 1.2, resuming
	// the session saved in file in and saving its own to out when named,
	// and returns its report's "New, ..." or "Reused, ..." line.
	sClient := func(t *testing.T, addr, in, out string) string {
		t.Helper()
		args := []string{"s_client", "-connect", addr, "-tls1_2", "-cipher", "ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-GCM-SHA384"}
		if in != "" {
			args = append(args, "-sess_in", filepath.Join(sessions, in))
		}
		if out != "" {
			args = append(args, "-sess_out", filepath.Join(sessions, out))
		}
		cmd := exec.Command(openssl, args...)
		cmd.Stdin = strings.NewReader("")
		report, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("openssl %q: %v\n%s", args, err, report)
		}
		for _, line := range strings.Split(string(report), "\n") {
			if strings.HasPrefix(line, "New, ") || strings.HasPrefix(line, "Reused, ") {
				return line
			}
		}
		t.Fatalf("no session line from openssl:\n%s", report)
		return ""
	}
	type probe struct{ in, out string }
	for _, tc := range []struct {
		name   string
		config []string
		probes []probe
	}{
		{"client's suite order", []string{"tls-prefer-server-ciphers", "no"}, []probe{{"", ""}}},
		{"server's suite order", []string{"tls-prefer-server-ciphers", "yes"}, []probe{{"", ""}}},
		{"resumed", nil, []probe{{"", "a"}, {"a", ""}, {"a", ""}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.config != nil {
				for _, addr := range []string{ref.Addr, ours.Addr().String()} {
					if got := dialRaw(t, addr).do(append([]string{"CONFIG", "SET"}, tc.config...)...); got != "+OK\r\n" {
						t.Fatalf("CONFIG SET %q on %s: %q", tc.config, addr, got)
					}
				}
			}
			for _, p := range tc.probes {
				suffixed := func(name, side string) string {
					if name == "" {
						return ""
					}
					return name + "." + side
				}
				want := sClient(t, refTLS, suffixed(p.in, "ref"), suffixed(p.out, "ref"))
				got := sClient(t, oursTLS, suffixed(p.in, "ours"), suffixed(p.out, "ours"))
				if got != want {
					t.Errorf("s_client -sess_in %q: redis %q, ours %q", p.in, want, got)
				}
			}
		})
	}
}
