// Package ingesttest makes what the tests of the live inputs need: a
// certificate authority with server and client certificates, written as
// PEM files.
package ingesttest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// PKI is a CA and certificates it signed, as files in a folder.
type PKI struct {
	Dir        string
	CA         string // CA certificate (PEM)
	ServerCert string
	ServerKey  string
	Pool       *x509.CertPool
	// Client is a certificate the CA signed; Stranger one it did not.
	Client, Stranger tls.Certificate
}

// NewPKI writes a CA, a server certificate for 127.0.0.1 and localhost,
// and two client certificates into a temporary folder.
func NewPKI(t testing.TB) *PKI {
	t.Helper()
	dir := t.TempDir()
	p := &PKI{Dir: dir, Pool: x509.NewCertPool()}
	caKey, caCert, caDER := selfSigned(t, "panther test CA")
	p.Pool.AddCert(caCert)
	p.CA = writePEM(t, dir, "ca.pem", "CERTIFICATE", caDER)
	srvKey, srvDER := signed(t, "server", caCert, caKey, true)
	p.ServerCert = writePEM(t, dir, "server.pem", "CERTIFICATE", srvDER)
	kb, _ := x509.MarshalECPrivateKey(srvKey)
	p.ServerKey = writePEM(t, dir, "server-key.pem", "EC PRIVATE KEY", kb)
	ck, cder := signed(t, "client", caCert, caKey, false)
	p.Client = tls.Certificate{Certificate: [][]byte{cder}, PrivateKey: ck}
	otherKey, otherCA, _ := selfSigned(t, "someone else's CA")
	sk, sder := signed(t, "stranger", otherCA, otherKey, false)
	p.Stranger = tls.Certificate{Certificate: [][]byte{sder}, PrivateKey: sk}
	return p
}

// ClientTLS is a client configuration trusting the CA, presenting cert
// (none when nil).
func (p *PKI) ClientTLS(cert *tls.Certificate) *tls.Config {
	c := &tls.Config{RootCAs: p.Pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
	if cert != nil {
		c.Certificates = []tls.Certificate{*cert}
	}
	return c
}

func selfSigned(t testing.TB, name string) (*ecdsa.PrivateKey, *x509.Certificate, []byte) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return key, cert, der
}

func signed(t testing.TB, name string, ca *x509.Certificate, caKey *ecdsa.PrivateKey, server bool) (*ecdsa.PrivateKey, []byte) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), KeyUsage: x509.KeyUsageDigitalSignature}
	if server {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")}
		tmpl.DNSNames = []string{"localhost"}
	} else {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	return key, der
}

func writePEM(t testing.TB, dir, name, typ string, der []byte) string {
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
