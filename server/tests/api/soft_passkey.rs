//! A software passkey for the tests: what a browser and its authenticator hand the server for
//! `navigator.credentials.create` and `.get` (WebAuthn level 3, "none" attestation, ES256), built
//! from the server's options. Its key is a real P-256 key and its signatures real ECDSA, so the
//! server's checks (by `webauthn-rs`) run as they do for a browser; a test can bend any part of
//! an answer (the origin, the counter, the signature) to see it refused.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use p256::ecdsa::{Signature, SigningKey, signature::Signer};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// A resident passkey: its key, credential id and the account handle it was made for.
pub struct SoftPasskey {
    key: SigningKey,
    pub credential_id: Vec<u8>,
    pub user_handle: Vec<u8>,
    pub rp_id: String,
    /// The sign counter the next assertion carries (0: an authenticator that keeps none).
    pub counter: u32,
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn unb64(text: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(text).expect("base64url from the server")
}

fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0; N];
    getrandom::fill(&mut bytes).unwrap();
    bytes
}

/// The JSON the browser signs over: the ceremony's type, the server's challenge, the origin.
fn client_data(kind: &str, options: &Value, origin: &str) -> Vec<u8> {
    let challenge = options["publicKey"]["challenge"].as_str().expect("a challenge");
    json!({"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": false}).to_string().into_bytes()
}

/// Just enough CBOR (RFC 8949) for an attestation object and a COSE key.
mod cbor {
    /// An item's head: its major type and its argument (a length, or the integer itself).
    fn head(major: u8, argument: u64, out: &mut Vec<u8>) {
        let major = major << 5;
        match (u8::try_from(argument), u16::try_from(argument)) {
            (Ok(small), _) if small < 24 => out.push(major | small),
            (Ok(byte), _) => out.extend([major | 24, byte]),
            (_, Ok(short)) => {
                out.push(major | 25);
                out.extend(short.to_be_bytes());
            }
            _ => panic!("the soft passkey's items are short"),
        }
    }

    fn length(value: usize) -> u64 {
        u64::try_from(value).expect("a length")
    }

    pub fn int(value: i64, out: &mut Vec<u8>) {
        match u64::try_from(value) {
            Ok(positive) => head(0, positive, out),
            Err(_) => head(1, (-1 - value).unsigned_abs(), out),
        }
    }

    pub fn bytes(value: &[u8], out: &mut Vec<u8>) {
        head(2, length(value.len()), out);
        out.extend(value);
    }

    pub fn text(value: &str, out: &mut Vec<u8>) {
        head(3, length(value.len()), out);
        out.extend(value.as_bytes());
    }

    pub fn map(entries: usize, out: &mut Vec<u8>) {
        head(5, length(entries), out);
    }
}

impl SoftPasskey {
    /// Answers the server's options for `navigator.credentials.create` (the JSON it sent) as a
    /// browser at `origin` would: a new key pair, kept on the "authenticator".
    pub fn create(options: &Value, origin: &str) -> (Self, Value) {
        let public_key = &options["publicKey"];
        let rp_id = public_key["rp"]["id"].as_str().expect("the relying party's id").to_owned();
        let user_handle = unb64(public_key["user"]["id"].as_str().expect("the account's handle"));
        let key = loop {
            if let Ok(key) = SigningKey::from_slice(&random::<32>()) {
                break key;
            }
        };
        let passkey = Self { key, credential_id: random::<16>().to_vec(), user_handle, rp_id, counter: 0 };
        let client_data = client_data("webauthn.create", options, origin);
        let mut attested = passkey.authenticator_data(0x45); // user present, verified, attested data
        attested.extend([0; 16]); // no AAGUID
        attested.extend(u16::try_from(passkey.credential_id.len()).unwrap().to_be_bytes());
        attested.extend(&passkey.credential_id);
        attested.extend(passkey.cose_key());
        let mut object = Vec::new();
        cbor::map(3, &mut object);
        cbor::text("fmt", &mut object);
        cbor::text("none", &mut object);
        cbor::text("attStmt", &mut object);
        cbor::map(0, &mut object);
        cbor::text("authData", &mut object);
        cbor::bytes(&attested, &mut object);
        let answer = json!({
            "id": b64(&passkey.credential_id),
            "rawId": b64(&passkey.credential_id),
            "type": "public-key",
            "response": {"attestationObject": b64(&object), "clientDataJSON": b64(&client_data)},
            "clientExtensionResults": {},
        });
        (passkey, answer)
    }

    /// Answers the server's options for `navigator.credentials.get` as a browser at `origin`
    /// would, the user verified: a signed assertion naming this passkey and its account.
    pub fn get(&mut self, options: &Value, origin: &str) -> Value {
        let client_data = client_data("webauthn.get", options, origin);
        let authenticator_data = self.authenticator_data(0x05); // user present and verified
        let mut signed = authenticator_data.clone();
        signed.extend(Sha256::digest(&client_data));
        let signature: Signature = self.key.sign(&signed);
        if self.counter > 0 {
            self.counter += 1;
        }
        json!({
            "id": b64(&self.credential_id),
            "rawId": b64(&self.credential_id),
            "type": "public-key",
            "response": {
                "authenticatorData": b64(&authenticator_data),
                "clientDataJSON": b64(&client_data),
                "signature": b64(signature.to_der().as_bytes()),
                "userHandle": b64(&self.user_handle),
            },
            "clientExtensionResults": {},
        })
    }

    fn authenticator_data(&self, flags: u8) -> Vec<u8> {
        let mut data = Sha256::digest(self.rp_id.as_bytes()).to_vec();
        data.push(flags);
        data.extend(self.counter.to_be_bytes());
        data
    }

    /// The public key as COSE: EC2, ES256, P-256, x and y.
    fn cose_key(&self) -> Vec<u8> {
        let point = self.key.verifying_key().to_sec1_bytes();
        assert_eq!(point.len(), 65, "an uncompressed point");
        let mut key = Vec::new();
        cbor::map(5, &mut key);
        cbor::int(1, &mut key);
        cbor::int(2, &mut key);
        cbor::int(3, &mut key);
        cbor::int(-7, &mut key);
        cbor::int(-1, &mut key);
        cbor::int(1, &mut key);
        cbor::int(-2, &mut key);
        cbor::bytes(&point[1..33], &mut key);
        cbor::int(-3, &mut key);
        cbor::bytes(&point[33..], &mut key);
        key
    }
}
