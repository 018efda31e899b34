//! Reading X.509 certificates with x509-parser into [`CertInfo`], as
//! GnuTLS presents them to Exim.

use super::*;
use x509_parser::asn1_rs::ToDer;
use x509_parser::prelude::*;

pub(super) fn read_pem(pem: &[u8]) -> Option<CertInfo> {
    let (_, block) = x509_parser::pem::parse_x509_pem(pem).ok()?;
    if !block.label.ends_with("CERTIFICATE") {
        return None;
    }
    let (_, cert) = X509Certificate::from_der(&block.contents).ok()?;
    Some(CertInfo::new(&cert, &block.contents))
}

impl CertInfo {
    fn new(cert: &X509Certificate, der: &[u8]) -> CertInfo {
        let mut alt_names = None;
        let mut access = None;
        let mut crl_points = None;
        let mut extensions = Vec::new();
        for ext in cert.extensions() {
            extensions.push((ext.oid.to_id_string(), ext.value.to_vec()));
            match ext.parsed_extension() {
                ParsedExtension::SubjectAlternativeName(san) if alt_names.is_none() => {
                    alt_names = Some(san.general_names.iter().map(general_name).collect());
                }
                ParsedExtension::AuthorityInfoAccess(aia) if access.is_none() => {
                    access = Some(aia.accessdescs.iter().map(access_entry).collect());
                }
                ParsedExtension::CRLDistributionPoints(points) if crl_points.is_none() => {
                    let mut names = Vec::new();
                    for p in points.iter() {
                        if let Some(DistributionPointName::FullName(full)) = &p.distribution_point {
                            for n in full {
                                let (kind, v) = general_name(n);
                                if kind != NameKind::Other {
                                    names.push(v);
                                }
                            }
                        }
                    }
                    crl_points = Some(names);
                }
                _ => {}
            }
        }
        CertInfo {
            der: der.to_vec(),
            version: cert.version().0 + 1,
            serial: cert.raw_serial().to_vec(),
            not_before: cert.validity().not_before.timestamp(),
            not_after: cert.validity().not_after.timestamp(),
            subject: dn_string(cert.subject()),
            issuer: dn_string(cert.issuer()),
            signature: cert.signature_value.data.to_vec(),
            sig_algorithm: signature_name(&cert.signature_algorithm),
            alt_names,
            access,
            crl_points,
            extensions,
        }
    }
}

fn general_name(n: &GeneralName) -> (NameKind, Vec<u8>) {
    match n {
        GeneralName::DNSName(s) => (NameKind::Dns, s.as_bytes().to_vec()),
        GeneralName::URI(s) => (NameKind::Uri, s.as_bytes().to_vec()),
        GeneralName::RFC822Name(s) => (NameKind::Mail, s.as_bytes().to_vec()),
        // Not UTF-8: the bytes as they are.
        GeneralName::Invalid(tag, data) => {
            let kind = match tag.0 {
                1 => NameKind::Mail,
                2 => NameKind::Dns,
                6 => NameKind::Uri,
                _ => NameKind::Other,
            };
            (kind, data.to_vec())
        }
        _ => (NameKind::Other, Vec::new()),
    }
}

fn access_entry(d: &AccessDescription) -> Access {
    if d.access_method.to_id_string() != "1.3.6.1.5.5.7.48.1" {
        return Access::OtherMethod;
    }
    match general_name(&d.access_location) {
        (NameKind::Uri, v) => Access::Ocsp(v),
        _ => Access::NotUri,
    }
}

/// GnuTLS's names for attribute types in a DN
/// (`gnutls_x509_dn_oid_name`, checked against libgnutls 3.7.9).
fn attribute_name(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "2.5.4.3" => "CN",
        "2.5.4.4" => "surName",
        "2.5.4.5" => "serialNumber",
        "2.5.4.6" => "C",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.9" => "street",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "2.5.4.12" => "title",
        "2.5.4.13" => "description",
        "2.5.4.15" => "businessCategory",
        "2.5.4.17" => "postalCode",
        "2.5.4.41" => "name",
        "2.5.4.42" => "givenName",
        "2.5.4.43" => "initials",
        "2.5.4.44" => "generationQualifier",
        "2.5.4.46" => "dnQualifier",
        "2.5.4.65" => "pseudonym",
        "0.9.2342.19200300.100.1.1" => "UID",
        "0.9.2342.19200300.100.1.25" => "DC",
        "1.2.840.113549.1.9.1" => "EMAIL",
        "1.3.6.1.5.5.7.9.2" => "placeOfBirth",
        "1.3.6.1.5.5.7.9.3" => "gender",
        "1.3.6.1.5.5.7.9.4" => "countryOfCitizenship",
        "1.3.6.1.5.5.7.9.5" => "countryOfResidence",
        "1.3.6.1.4.1.311.60.2.1.1" => "jurisdictionOfIncorporationLocalityName",
        "1.3.6.1.4.1.311.60.2.1.2" => "jurisdictionOfIncorporationStateOrProvinceName",
        "1.3.6.1.4.1.311.60.2.1.3" => "jurisdictionOfIncorporationCountryName",
        "1.2.643.3.131.1.1" => "INN",
        "1.2.643.100.1" => "OGRN",
        "1.2.643.100.3" => "SNILS",
        _ => return None,
    })
}

/// The text of a directory string, `None` for a type that is not one.
fn decode_string(tag: u32, data: &[u8]) -> Option<Vec<u8>> {
    match tag {
        // UTF8String, NumericString, PrintableString, TeletexString,
        // IA5String, VisibleString.
        12 | 18 | 19 | 20 | 22 | 26 => Some(data.to_vec()),
        // BMPString: UCS-2, big-endian.
        30 => {
            let units: Vec<u16> = data
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16(&units).ok().map(String::into_bytes)
        }
        // UniversalString: UCS-4, big-endian.
        28 => data
            .chunks_exact(4)
            .map(|c| char::from_u32(u32::from_be_bytes([c[0], c[1], c[2], c[3]])))
            .collect::<Option<String>>()
            .map(String::into_bytes),
        _ => None,
    }
}

/// A DN as `gnutls_x509_crt_get_dn` gives it: RDNs in certificate order
/// joined by `,`, the values of a multi-valued RDN by `+`, the RFC 4514
/// specials backslash-escaped, values of unknown type as `#` and hex DER.
fn dn_string(name: &X509Name) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, rdn) in name.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        for (j, ava) in rdn.iter().enumerate() {
            if j > 0 {
                out.push(b'+');
            }
            let oid = ava.attr_type().to_id_string();
            let known = attribute_name(&oid);
            out.extend_from_slice(known.unwrap_or(&oid).as_bytes());
            out.push(b'=');
            let value = ava.attr_value();
            let text = known.and_then(|_| decode_string(value.header.tag().0, value.data));
            match text {
                Some(t) => escape_dn_value(&t, &mut out),
                None => {
                    out.push(b'#');
                    let der = value.to_der_vec().unwrap_or_default();
                    out.extend_from_slice(&hex(&der, false, None));
                }
            }
        }
    }
    out
}

pub(super) fn escape_dn_value(v: &[u8], out: &mut Vec<u8>) {
    let last = v.len().saturating_sub(1);
    for (i, &c) in v.iter().enumerate() {
        let escape = matches!(c, b',' | b'+' | b'"' | b'\\' | b'<' | b'>' | b';')
            || (i == 0 && matches!(c, b'#' | b' '))
            || (i == last && c == b' ');
        if escape {
            out.push(b'\\');
        }
        out.push(c);
    }
}

/// GnuTLS's name for a signature algorithm (`gnutls_sign_get_name`).
fn signature_name(alg: &AlgorithmIdentifier) -> Option<&'static str> {
    let oid = alg.algorithm.to_id_string();
    Some(match oid.as_str() {
        "1.2.840.113549.1.1.5" | "1.3.14.3.2.29" => "RSA-SHA1",
        "1.2.840.10040.4.3" => "DSA-SHA1",
        "1.2.840.113549.1.1.4" => "RSA-MD5",
        "1.2.840.113549.1.1.2" => "RSA-MD2",
        "1.3.36.3.3.1.2" => "RSA-RMD160",
        "1.2.840.113549.1.1.11" => "RSA-SHA256",
        "1.2.840.113549.1.1.12" => "RSA-SHA384",
        "1.2.840.113549.1.1.13" => "RSA-SHA512",
        "1.2.840.113549.1.1.14" => "RSA-SHA224",
        "2.16.840.1.101.3.4.3.1" => "DSA-SHA224",
        "2.16.840.1.101.3.4.3.2" => "DSA-SHA256",
        "2.16.840.1.101.3.4.3.3" => "DSA-SHA384",
        "2.16.840.1.101.3.4.3.4" => "DSA-SHA512",
        "1.2.840.10045.4.1" => "ECDSA-SHA1",
        "1.2.840.10045.4.3.1" => "ECDSA-SHA224",
        "1.2.840.10045.4.3.2" => "ECDSA-SHA256",
        "1.2.840.10045.4.3.3" => "ECDSA-SHA384",
        "1.2.840.10045.4.3.4" => "ECDSA-SHA512",
        "2.16.840.1.101.3.4.3.5" => "DSA-SHA3-224",
        "2.16.840.1.101.3.4.3.6" => "DSA-SHA3-256",
        "2.16.840.1.101.3.4.3.7" => "DSA-SHA3-384",
        "2.16.840.1.101.3.4.3.8" => "DSA-SHA3-512",
        "2.16.840.1.101.3.4.3.9" => "ECDSA-SHA3-224",
        "2.16.840.1.101.3.4.3.10" => "ECDSA-SHA3-256",
        "2.16.840.1.101.3.4.3.11" => "ECDSA-SHA3-384",
        "2.16.840.1.101.3.4.3.12" => "ECDSA-SHA3-512",
        "2.16.840.1.101.3.4.3.13" => "RSA-SHA3-224",
        "2.16.840.1.101.3.4.3.14" => "RSA-SHA3-256",
        "2.16.840.1.101.3.4.3.15" => "RSA-SHA3-384",
        "2.16.840.1.101.3.4.3.16" => "RSA-SHA3-512",
        "1.3.101.112" => "EdDSA-Ed25519",
        "1.3.101.113" => "EdDSA-Ed448",
        "1.2.643.2.2.3" => "GOSTR341001",
        "1.2.643.7.1.1.3.2" => "GOSTR341012-256",
        "1.2.643.7.1.1.3.3" => "GOSTR341012-512",
        // RSASSA-PSS: named by the hash in its parameters.
        "1.2.840.113549.1.1.10" => {
            let x509_parser::signature_algorithm::SignatureAlgorithm::RSASSA_PSS(p) =
                x509_parser::signature_algorithm::SignatureAlgorithm::try_from(alg).ok()?
            else {
                return None;
            };
            match p.hash_algorithm_oid().to_id_string().as_str() {
                "2.16.840.1.101.3.4.2.1" => "RSA-PSS-SHA256",
                "2.16.840.1.101.3.4.2.2" => "RSA-PSS-SHA384",
                "2.16.840.1.101.3.4.2.3" => "RSA-PSS-SHA512",
                _ => return None,
            }
        }
        _ => return None,
    })
}
