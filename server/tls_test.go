package server

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/internal/redistest"
	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// testPKI is a CA and the files of certificates it signed, written to dir.
type testPKI struct {
	t      *testing.T
	dir    string
	ca     *x509.Certificate
	caKey  *ecdsa.PrivateKey
	caFile string
	pool   *x509.CertPool
	serial int64
}

func newTestPKI(t *testing.T) *testPKI {
	t.Helper()
	p := &testPKI{t: t, dir: t.TempDir()}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	p.ca, _ = x509.ParseCertificate(der)
	p.caKey = key
	p.caFile = p.write("ca.crt", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	p.pool = x509.NewCertPool()
	p.pool.AddCert(p.ca)
	p.serial = 1
	return p
}

func (p *testPKI) write(name string, b []byte) string {
	path := filepath.Join(p.dir, name)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		p.t.Fatal(err)
	}
	return path
}

// issue writes a certificate for cn (a server one for 127.0.0.1, or a
// client one) and its RSA key, encrypted with pass in the legacy PEM
// format when pass is set; it returns the files and the key pair.
func (p *testPKI) issue(cn string, server bool, pass string) (certFile, keyFile string, pair tls.Certificate) {
	p.t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		p.t.Fatal(err)
	}
	p.serial++
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(p.serial), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
	}
	if server {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
	} else {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.ca, &key.PublicKey, p.caKey)
	if err != nil {
		p.t.Fatal(err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyBlock := &pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}
	plainKey := pem.EncodeToMemory(keyBlock)
	keyPEM := plainKey
	if pass != "" {
		//lint:ignore SA1019 the legacy format is what tls-key-file-pass reads
		enc, err := x509.EncryptPEMBlock(rand.Reader, keyBlock.Type, keyBlock.Bytes, []byte(pass), x509.PEMCipherAES256) //nolint:staticcheck
		if err != nil {
			p.t.Fatal(err)
		}
		keyPEM = pem.EncodeToMemory(enc)
	}
	pair, err = tls.X509KeyPair(certPEM, plainKey)
	if err != nil {
		p.t.Fatal(err)
	}
	return p.write(cn+".crt", certPEM), p.write(cn+".key", keyPEM), pair
}

// startTLSServer starts a server, as the binary does, with a TLS port and
// args; it returns the server and the TLS address.
func startTLSServer(t *testing.T, args ...string) (*Server, string) {
	t.Helper()
	port, err := redistest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	all := append([]string{"--bind", "127.0.0.1", "--save", "", "--admin-port", "0", "--tls-port", strconv.Itoa(port)}, args...)
	srv, err := New(all, Options{Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	return srv, srv.TLSAddr().String()
}

func tlsGoRedis(t *testing.T, addr string, cfg *tls.Config) *redis.Client {
	rdb := redis.NewClient(&redis.Options{Addr: addr, TLSConfig: cfg, MaxRetries: -1, DialTimeout: 5 * time.Second})
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

func TestTLSClients(t *testing.T) {
	pki := newTestPKI(t)
	certFile, keyFile, _ := pki.issue("server", true, "")
	_, _, clientPair := pki.issue("client", false, "")
	cases := []struct {
		auth       string
		withCert   bool
		wantServed bool
	}{
		{"yes", true, true},
		{"yes", false, false},
		{"optional", false, true},
		{"optional", true, true},
		{"no", false, true},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("auth=%s,cert=%v", tc.auth, tc.withCert), func(t *testing.T) {
			srv, addr := startTLSServer(t, "--port", "0", "--tls-cert-file", certFile, "--tls-key-file", keyFile,
				"--tls-ca-cert-file", pki.caFile, "--tls-auth-clients", tc.auth)
			if srv.Addr() != nil {
				t.Errorf("port 0 with a tls-port opened a plaintext listener at %v", srv.Addr())
			}
			cfg := &tls.Config{RootCAs: pki.pool}
			if tc.withCert {
				cfg.Certificates = []tls.Certificate{clientPair}
			}
			rdb := tlsGoRedis(t, addr, cfg)
			ctx := context.Background()
			err := rdb.Set(ctx, "k", "v", 0).Err()
			if !tc.wantServed {
				if err == nil {
					t.Fatal("a client without a certificate was served under tls-auth-clients yes")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got, err := rdb.Get(ctx, "k").Result(); err != nil || got != "v" {
				t.Fatalf("GET k = %q, %v", got, err)
			}
		})
	}
}

// TestTLSRedisCLI connects with redis-cli --tls, with and without a
// client certificate.
func TestTLSRedisCLI(t *testing.T) {
	bin := redistest.Require(t, "redis-cli")
	help, _ := exec.Command(bin, "--help").CombinedOutput()
	if !bytes.Contains(help, []byte("--tls")) {
		if os.Getenv("CI") == "true" {
			t.Fatal("redis-cli was built without TLS support")
		}
		t.Skip("redis-cli was built without TLS support")
	}
	pki := newTestPKI(t)
	certFile, keyFile, _ := pki.issue("server", true, "")
	clientCert, clientKey, _ := pki.issue("client", false, "")
	_, addr := startTLSServer(t, "--port", "0", "--tls-cert-file", certFile, "--tls-key-file", keyFile,
		"--tls-ca-cert-file", pki.caFile, "--tls-auth-clients", "optional")
	if got := redisCLI(t, addr, nil, "--tls", "--cacert", pki.caFile, "PING"); got != "PONG\n" {
		t.Errorf("redis-cli --tls PING = %q", got)
	}
	if got := redisCLI(t, addr, nil, "--tls", "--cacert", pki.caFile, "--cert", clientCert, "--key", clientKey,
		"ECHO", "hi"); got != "hi\n" {
		t.Errorf("redis-cli --tls --cert ECHO hi = %q", got)
	}
}

// TestTLSPlaintextDropped: a client speaking RESP in the clear to the TLS
// port is disconnected without a reply.
func TestTLSPlaintextDropped(t *testing.T) {
	pki := newTestPKI(t)
	certFile, keyFile, _ := pki.issue("server", true, "")
	_, addr := startTLSServer(t, "--port", "0", "--tls-cert-file", certFile, "--tls-key-file", keyFile, "--tls-auth-clients", "no")
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := nc.Write([]byte("*1\r\n$4\r\nPING\r\n")); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(nc)
	if err != nil {
		t.Fatalf("reading until the server closes: %v", err)
	}
	if bytes.Contains(got, []byte("PONG")) {
		t.Fatalf("a plaintext client was served: %q", got)
	}
}

// TestTLSReloadCertificate: CONFIG SET tls-cert-file tls-key-file changes
// the certificate of the next handshakes, without a restart.
func TestTLSReloadCertificate(t *testing.T) {
	pki := newTestPKI(t)
	certFile, keyFile, _ := pki.issue("server", true, "")
	newCert, newKey, _ := pki.issue("server2", true, "")
	_, addr := startTLSServer(t, "--port", "0", "--tls-cert-file", certFile, "--tls-key-file", keyFile, "--tls-auth-clients", "no")
	peerCN := func() string {
		t.Helper()
		conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pki.pool})
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		return conn.ConnectionState().PeerCertificates[0].Subject.CommonName
	}
	if cn := peerCN(); cn != "server" {
		t.Fatalf("certificate CN %q, want server", cn)
	}
	rdb := tlsGoRedis(t, addr, &tls.Config{RootCAs: pki.pool})
	ctx := context.Background()
	if err := rdb.ConfigSet(ctx, "tls-cert-file", newCert).Err(); err == nil {
		t.Fatal("CONFIG SET tls-cert-file to a certificate of another key succeeded")
	} else if err.Error() != "ERR CONFIG SET failed (possibly related to argument 'tls-cert-file') - Unable to update TLS configuration. Check server logs." {
		t.Fatalf("CONFIG SET mismatched certificate: %v", err)
	}
	if err := rdb.Do(ctx, "CONFIG", "SET", "tls-cert-file", newCert, "tls-key-file", newKey).Err(); err != nil {
		t.Fatal(err)
	}
	if got := rdb.ConfigGet(ctx, "tls-cert-file").Val()["tls-cert-file"]; got != newCert {
		t.Errorf("CONFIG GET tls-cert-file = %q", got)
	}
	if cn := peerCN(); cn != "server2" {
		t.Fatalf("after CONFIG SET the certificate CN is %q, want server2", cn)
	}
}

func TestTLSSettingErrors(t *testing.T) {
	pki := newTestPKI(t)
	certFile, keyFile, _ := pki.issue("server", true, "")
	_, addr := startTLSServer(t, "--port", "0", "--tls-cert-file", certFile, "--tls-key-file", keyFile, "--tls-auth-clients", "no")
	rdb := tlsGoRedis(t, addr, &tls.Config{RootCAs: pki.pool})
	ctx := context.Background()
	const failed = "Unable to update TLS configuration. Check server logs."
	cases := []struct{ name, value, want string }{
		{"tls-ciphers", "ECDHE-RSA-AES256-GCM-SHA384:NOT-A-CIPHER", failed},
		{"tls-ciphers", "HIGH:!aNULL", failed},
		{"tls-ciphersuites", "TLS_AES_999", failed},
		{"tls-protocols", "TLSv1.2 SSLv3", failed},
		{"tls-auth-clients", "yes", failed}, // no CA configured
		{"tls-auth-clients", "maybe", "argument(s) must be one of the following: no, yes, optional"},
		{"tls-key-file", "/nonexistent/key.pem", failed},
	}
	for _, tc := range cases {
		err := rdb.ConfigSet(ctx, tc.name, tc.value).Err()
		want := "ERR CONFIG SET failed (possibly related to argument '" + tc.name + "') - " + tc.want
		if err == nil || err.Error() != want {
			t.Errorf("CONFIG SET %s %q = %v, want %s", tc.name, tc.value, err, want)
		}
	}
	// Valid lists are taken and used.
	for _, kv := range [][2]string{{"tls-ciphers", "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384"},
		{"tls-ciphersuites", "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"},
		{"tls-protocols", "TLSv1.2"}} {
		if err := rdb.ConfigSet(ctx, kv[0], kv[1]).Err(); err != nil {
			t.Errorf("CONFIG SET %s %q: %v", kv[0], kv[1], err)
		}
	}
	conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pki.pool})
	if err != nil {
		t.Fatal(err)
	}
	st := conn.ConnectionState()
	conn.Close()
	if st.Version != tls.VersionTLS12 || st.CipherSuite != tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 {
		t.Errorf("handshake: version %x suite %s, want TLS 1.2 with ECDHE-RSA-AES128-GCM-SHA256", st.Version, tls.CipherSuiteName(st.CipherSuite))
	}
	if _, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pki.pool, MinVersion: tls.VersionTLS13}); err == nil {
		t.Error("a TLS 1.3 handshake succeeded under tls-protocols TLSv1.2")
	}
}

func TestTLSStartErrors(t *testing.T) {
	pki := newTestPKI(t)
	certFile, keyFile, _ := pki.issue("server", true, "")
	encCert, encKey, _ := pki.issue("enc", true, "s3cret")
	cases := []struct {
		name string
		args []string
		want string // "" for a start that succeeds
	}{
		{"no cert", []string{"--tls-auth-clients", "no"}, "No tls-cert-file configured!"},
		{"no CA", []string{"--tls-cert-file", certFile, "--tls-key-file", keyFile}, "tls-ca-cert-file or tls-ca-cert-dir must be specified"},
		{"CA dir", []string{"--tls-cert-file", certFile, "--tls-key-file", keyFile, "--tls-ca-cert-dir", pki.dir}, ""},
		{"bad cipher", []string{"--tls-cert-file", certFile, "--tls-key-file", keyFile, "--tls-auth-clients", "no",
			"--tls-ciphers", "RC4-MD5"}, `"RC4-MD5" is not a cipher`},
		{"encrypted key, no pass", []string{"--tls-cert-file", encCert, "--tls-key-file", encKey, "--tls-auth-clients", "no"},
			"encrypted and no tls-key-file-pass"},
		{"encrypted key, wrong pass", []string{"--tls-cert-file", encCert, "--tls-key-file", encKey, "--tls-auth-clients", "no",
			"--tls-key-file-pass", "wrong"}, "decryption password incorrect"},
		{"encrypted key", []string{"--tls-cert-file", encCert, "--tls-key-file", encKey, "--tls-auth-clients", "no",
			"--tls-key-file-pass", "s3cret"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			port, err := redistest.FreePort()
			if err != nil {
				t.Fatal(err)
			}
			args := append([]string{"--bind", "127.0.0.1", "--port", "0", "--save", "", "--admin-port", "0",
				"--tls-port", strconv.Itoa(port)}, tc.args...)
			srv, err := New(args, Options{})
			if err != nil {
				t.Fatal(err)
			}
			err = srv.Start()
			defer srv.Shutdown(context.Background())
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				conn, err := tls.Dial("tcp", srv.TLSAddr().String(), &tls.Config{RootCAs: pki.pool})
				if err != nil {
					t.Fatal(err)
				}
				conn.Close()
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Start = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// TestAdminTLS: with admin-tls-* the admin API speaks TLS, verifying client
// certificates when they are given.
func TestAdminTLS(t *testing.T) {
	pki := newTestPKI(t)
	certFile, keyFile, _ := pki.issue("server", true, "")
	_, _, clientPair := pki.issue("client", false, "")
	adminPort, err := redistest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New([]string{"--bind", "127.0.0.1", "--port", "0", "--save", "", "--admin-port", strconv.Itoa(adminPort),
		"--admin-tls-cert-file", certFile, "--admin-tls-key-file", keyFile, "--admin-tls-ca-cert-file", pki.caFile}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	check := func(creds credentials.TransportCredentials) error {
		conn, err := grpc.NewClient(srv.AdminAddr().String(), grpc.WithTransportCredentials(creds))
		if err != nil {
			return err
		}
		defer conn.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		resp, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
		if err != nil {
			return err
		}
		if resp.Status != healthpb.HealthCheckResponse_SERVING {
			return fmt.Errorf("status %v", resp.Status)
		}
		return nil
	}
	if err := check(credentials.NewTLS(&tls.Config{RootCAs: pki.pool})); err != nil {
		t.Errorf("without a client certificate: %v", err)
	}
	if err := check(credentials.NewTLS(&tls.Config{RootCAs: pki.pool, Certificates: []tls.Certificate{clientPair}})); err != nil {
		t.Errorf("with a client certificate: %v", err)
	}
	// A certificate the CA did not sign is refused.
	other := newTestPKI(t)
	_, _, strangerPair := other.issue("stranger", false, "")
	if err := check(credentials.NewTLS(&tls.Config{RootCAs: pki.pool, Certificates: []tls.Certificate{strangerPair}})); err == nil {
		t.Error("a client certificate of another CA was accepted")
	}
	if err := check(credentials.NewTLS(&tls.Config{RootCAs: other.pool})); err == nil {
		t.Error("the client trusted a server certificate of another CA")
	}
}
