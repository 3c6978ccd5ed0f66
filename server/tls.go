package server

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// errTLSUpdate is Redis's reply to a CONFIG SET of a tls-* parameter whose
// new TLS configuration cannot be built; the cause goes to the log.
var errTLSUpdate = errors.New("Unable to update TLS configuration. Check server logs.")

// tlsUpdateError is a failed rebuild of the TLS configuration: its text is
// Redis's reply, its cause what went wrong.
type tlsUpdateError struct{ cause error }

func (e *tlsUpdateError) Error() string { return errTLSUpdate.Error() }
func (e *tlsUpdateError) Unwrap() error { return e.cause }

// tlsSettings are the values of the tls-* parameters a TLS configuration is
// built from.
type tlsSettings struct {
	certFile, keyFile, keyPass string
	caFile, caDir              string
	authClients                string // yes, no or optional
	protocols                  string
	ciphers, cipherSuites      string
	sessionCaching             bool
	// sessions is where resumable sessions are kept while sessionCaching
	// is on; nil resumes none.
	sessions *tlsSessionCache
}

// buildTLSConfig builds the listener's TLS configuration from ts, reading
// the certificate, key and CA files now: a CONFIG SET that changes them
// builds a new one, which the next handshake uses.
func buildTLSConfig(ts tlsSettings) (*tls.Config, error) {
	if ts.certFile == "" {
		return nil, errors.New("No tls-cert-file configured!")
	}
	if ts.keyFile == "" {
		return nil, errors.New("No tls-key-file configured!")
	}
	cert, err := loadKeyPair(ts.certFile, ts.keyFile, ts.keyPass)
	if err != nil {
		return nil, err
	}
	cfg := &tls.Config{
		Certificates:           []tls.Certificate{cert},
		SessionTicketsDisabled: !ts.sessionCaching || ts.sessions == nil,
	}
	if !cfg.SessionTicketsDisabled {
		cfg.WrapSession, cfg.UnwrapSession = ts.sessions.wrap, ts.sessions.unwrap
	}
	cfg.MinVersion, cfg.MaxVersion, err = parseTLSProtocols(ts.protocols)
	if err != nil {
		return nil, err
	}
	if cfg.CipherSuites, err = parseTLSCiphers(ts.ciphers); err != nil {
		return nil, err
	}
	tls13, err := parseTLSCipherSuites(ts.cipherSuites)
	if err != nil {
		return nil, err
	}
	if tls13 != nil {
		// Go chooses TLS 1.3 suites itself; a handshake that ends on one
		// not allowed fails, rather than the setting being ignored.
		cfg.VerifyConnection = func(cs tls.ConnectionState) error {
			if cs.Version == tls.VersionTLS13 && !tls13[cs.CipherSuite] {
				return fmt.Errorf("TLS 1.3 cipher suite %s is not in tls-ciphersuites", tls.CipherSuiteName(cs.CipherSuite))
			}
			return nil
		}
	}
	switch ts.authClients {
	case "no":
		cfg.ClientAuth = tls.NoClientCert
	case "optional":
		cfg.ClientAuth = tls.VerifyClientCertIfGiven
	default:
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	}
	if ts.caFile != "" || ts.caDir != "" {
		pool, err := loadCAs(ts.caFile, ts.caDir)
		if err != nil {
			return nil, err
		}
		cfg.ClientCAs = pool
	} else if cfg.ClientAuth != tls.NoClientCert {
		return nil, errors.New("Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, tls-replication or tls-auth-clients are enabled!")
	}
	return cfg, nil
}

// loadKeyPair reads a PEM certificate chain and its key; pass, if not
// empty, decrypts a key in OpenSSL's legacy encrypted PEM format
// (Proc-Type: 4,ENCRYPTED), as tls-key-file-pass does.
func loadKeyPair(certFile, keyFile, pass string) (tls.Certificate, error) {
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("Failed to load certificate: %s: %w", certFile, err)
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("Failed to load private key: %s: %w", keyFile, err)
	}
	if block, _ := pem.Decode(keyPEM); block != nil {
		//lint:ignore SA1019 legacy encrypted PEM is what tls-key-file-pass decrypts
		if x509.IsEncryptedPEMBlock(block) { //nolint:staticcheck
			if pass == "" {
				return tls.Certificate{}, fmt.Errorf("Failed to load private key: %s: encrypted and no tls-key-file-pass", keyFile)
			}
			der, err := x509.DecryptPEMBlock(block, []byte(pass)) //nolint:staticcheck
			if err != nil {
				return tls.Certificate{}, fmt.Errorf("Failed to load private key: %s: %w", keyFile, err)
			}
			keyPEM = pem.EncodeToMemory(&pem.Block{Type: block.Type, Bytes: der})
		} else if block.Type == "ENCRYPTED PRIVATE KEY" {
			return tls.Certificate{}, fmt.Errorf("Failed to load private key: %s: PKCS#8 encrypted keys are not supported; use the legacy PEM encryption (openssl rsa -aes256)", keyFile)
		}
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("Failed to load certificate or key: %w", err)
	}
	return cert, nil
}

// loadCAs reads the CA certificates of file and of every file in dir.
func loadCAs(file, dir string) (*x509.CertPool, error) {
	pool := x509.NewCertPool()
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("Failed to configure CA certificate(s) file/directory: %w", err)
		}
		if !pool.AppendCertsFromPEM(b) {
			return nil, fmt.Errorf("Failed to configure CA certificate(s) file/directory: no certificate in %s", file)
		}
	}
	if dir != "" {
		ents, err := os.ReadDir(dir)
		if err != nil {
			return nil, fmt.Errorf("Failed to configure CA certificate(s) file/directory: %w", err)
		}
		for _, e := range ents {
			if !e.Type().IsRegular() && e.Type()&os.ModeSymlink == 0 {
				continue
			}
			if b, err := os.ReadFile(filepath.Join(dir, e.Name())); err == nil {
				pool.AppendCertsFromPEM(b) // files without certificates are skipped, as by OpenSSL
			}
		}
	}
	return pool, nil
}

// tlsVersions are tls-protocols' names.
var tlsVersions = map[string]uint16{
	"tlsv1": tls.VersionTLS10, "tlsv1.1": tls.VersionTLS11, "tlsv1.2": tls.VersionTLS12, "tlsv1.3": tls.VersionTLS13,
}

// parseTLSProtocols parses tls-protocols ("TLSv1.2 TLSv1.3"; empty means
// those two) into the range of versions allowed. Go allows a range only:
// "TLSv1 TLSv1.3" allows the versions between as well.
func parseTLSProtocols(s string) (lo, hi uint16, err error) {
	if strings.TrimSpace(s) == "" {
		return tls.VersionTLS12, tls.VersionTLS13, nil
	}
	for _, f := range strings.Fields(s) {
		v, ok := tlsVersions[strings.ToLower(f)]
		if !ok {
			return 0, 0, errors.New("Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' and 'TLSv1.3'.")
		}
		if lo == 0 || v < lo {
			lo = v
		}
		hi = max(hi, v)
	}
	return lo, hi, nil
}

// openSSLCiphers maps OpenSSL's names of the TLS 1.2 cipher suites Go
// implements to Go's.
var openSSLCiphers = map[string]uint16{
	"ECDHE-ECDSA-AES128-GCM-SHA256": tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	"ECDHE-RSA-AES128-GCM-SHA256":   tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	"ECDHE-ECDSA-AES256-GCM-SHA384": tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	"ECDHE-RSA-AES256-GCM-SHA384":   tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	"ECDHE-ECDSA-CHACHA20-POLY1305": tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	"ECDHE-RSA-CHACHA20-POLY1305":   tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
	"ECDHE-ECDSA-AES128-SHA":        tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
	"ECDHE-RSA-AES128-SHA":          tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
	"ECDHE-ECDSA-AES256-SHA":        tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
	"ECDHE-RSA-AES256-SHA":          tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
	"ECDHE-ECDSA-AES128-SHA256":     tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
	"ECDHE-RSA-AES128-SHA256":       tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
	"AES128-GCM-SHA256":             tls.TLS_RSA_WITH_AES_128_GCM_SHA256,
	"AES256-GCM-SHA384":             tls.TLS_RSA_WITH_AES_256_GCM_SHA384,
	"AES128-SHA":                    tls.TLS_RSA_WITH_AES_128_CBC_SHA,
	"AES256-SHA":                    tls.TLS_RSA_WITH_AES_256_CBC_SHA,
	"AES128-SHA256":                 tls.TLS_RSA_WITH_AES_128_CBC_SHA256,
}

// tls13Suites are the TLS 1.3 suites, under the IANA names OpenSSL uses.
var tls13Suites = map[string]uint16{
	"TLS_AES_128_GCM_SHA256":       tls.TLS_AES_128_GCM_SHA256,
	"TLS_AES_256_GCM_SHA384":       tls.TLS_AES_256_GCM_SHA384,
	"TLS_CHACHA20_POLY1305_SHA256": tls.TLS_CHACHA20_POLY1305_SHA256,
}

// splitCipherList splits an OpenSSL cipher list: names separated by
// colons, commas or spaces.
func splitCipherList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ':' || r == ',' || r == ' ' })
}

// parseTLSCiphers parses tls-ciphers, OpenSSL's TLS 1.2 cipher list, into
// Go's suites: nil (Go's defaults) when empty or DEFAULT. A name Go does
// not implement, or an OpenSSL keyword such as HIGH, is an error rather
// than ignored.
func parseTLSCiphers(s string) ([]uint16, error) {
	names := splitCipherList(s)
	if len(names) == 0 || len(names) == 1 && names[0] == "DEFAULT" {
		return nil, nil
	}
	ids := make([]uint16, 0, len(names))
	for _, n := range names {
		id, ok := openSSLCiphers[n]
		if !ok {
			return nil, fmt.Errorf("Failed to configure ciphers: %q is not a cipher this server supports", n)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// parseTLSCipherSuites parses tls-ciphersuites, the TLS 1.3 suites
// allowed: nil (all) when empty.
func parseTLSCipherSuites(s string) (map[uint16]bool, error) {
	names := splitCipherList(s)
	if len(names) == 0 {
		return nil, nil
	}
	set := make(map[uint16]bool, len(names))
	for _, n := range names {
		id, ok := tls13Suites[n]
		if !ok {
			return nil, fmt.Errorf("Failed to configure ciphersuites: %q is not a TLS 1.3 cipher suite", n)
		}
		set[id] = true
	}
	return set, nil
}

// tlsSettings returns the tls-* parameters' current values.
func (st *settings) tlsSettings() tlsSettings {
	return tlsSettings{
		certFile: st.tlsCertFile.Load(), keyFile: st.tlsKeyFile.Load(), keyPass: st.tlsKeyFilePass.Load(),
		caFile: st.tlsCACertFile.Load(), caDir: st.tlsCACertDir.Load(),
		authClients: st.tlsAuthClients.Load(), protocols: st.tlsProtocols.Load(),
		ciphers: st.tlsCiphers.Load(), cipherSuites: st.tlsCipherSuites.Load(),
		sessionCaching: st.tlsSessionCaching.Load(), sessions: &st.tlsSessions,
	}
}

// reloadTLS rebuilds the TLS configuration from the parameters, once the
// server serves TLS (Start builds the first): handshakes after it use the
// new certificate, key, CAs and protocols.
func (st *settings) reloadTLS() error {
	if st.tlsConfig.Load() == nil {
		return nil
	}
	cfg, err := buildTLSConfig(st.tlsSettings())
	if err != nil {
		return &tlsUpdateError{err}
	}
	st.tlsConfig.Store(cfg)
	return nil
}

// listenerTLSConfig is the configuration of the TLS listener: each
// handshake gets the configuration built last, so CONFIG SET takes effect
// without a restart, narrowed to the client's preferred cipher suite
// unless tls-prefer-server-ciphers.
func (st *settings) listenerTLSConfig() *tls.Config {
	return &tls.Config{
		GetConfigForClient: func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
			cfg := st.tlsConfig.Load()
			if cfg != nil && !st.tlsPreferServerCiphers.Load() {
				cfg = clientPreferredConfig(cfg, hello)
			}
			return cfg, nil
		},
	}
}
