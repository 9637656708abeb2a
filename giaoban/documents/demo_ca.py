"""A certificate authority for the demo and the tests, never for real documents: a root and, per
organization, a signing certificate issued by it, as a PKCS#12 file the administrator imports
(`giaoban demo_ca`, `giaoban certificate import`). A real deployment imports the certificates a
licensed CA (in Vietnam, the Government's CA or a public one) issued to each organization.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = ["Authority", "authority_make", "certificate_issue", "pkcs12_bytes"]

#: The demo documents were issued in 2021: their certificates are valid from then.
DEMO_VALID_FROM = datetime(2021, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Authority:
    key: rsa.RSAPrivateKey
    certificate: x509.Certificate

    def key_pem(self) -> bytes:
        return self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def certificate_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "giaoban demo"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def authority_make(
    common_name: str = "giaoban demo CA (không dùng cho văn bản thật)",
    *,
    not_before: datetime = DEMO_VALID_FROM,
    not_after: datetime | None = None,
) -> Authority:
    """A self-signed root, valid from `not_before` for ten years from now by default."""
    key = _key()
    name = _name(common_name)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after or datetime.now(UTC) + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_usage(cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Authority(key, certificate)


def _usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=not cert_sign,  # non-repudiation: what a document's signature needs
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def certificate_issue(
    authority: Authority,
    common_name: str,
    *,
    not_before: datetime = DEMO_VALID_FROM,
    not_after: datetime | None = None,
) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """A key and a signing certificate for `common_name` (an organization's name), issued by
    `authority`; valid for five years from now by default."""
    key = _key()
    issuer_key_id = x509.AuthorityKeyIdentifier.from_issuer_public_key(authority.key.public_key())
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(authority.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after or datetime.now(UTC) + timedelta(days=1825))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(cert_sign=False), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .add_extension(issuer_key_id, critical=False)
        .sign(authority.key, hashes.SHA256())
    )
    return key, certificate


def pkcs12_bytes(
    key, certificate: x509.Certificate | None, chain: list[x509.Certificate], password: str
) -> bytes:
    """A PKCS#12 file of `key` (None: a file without one), `certificate` and `chain`."""
    encryption = (
        serialization.BestAvailableEncryption(password.encode())
        if password
        else serialization.NoEncryption()
    )
    return pkcs12.serialize_key_and_certificates(
        b"giaoban", key, certificate, chain or None, encryption
    )
