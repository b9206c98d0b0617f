"""False-positive filters: what they drop, what they keep, and that they are cheap to import.

Values that look like secrets are generated here at run time; none sits in this file.
"""

from __future__ import annotations

import base64
import random
import string
import subprocess
import sys

import pytest

from planted import rand
from secretguard.scan.filters import BUNDLES, FILTERS, Candidate, is_false_positive
import secretguard.scan.filters as F


def cand(secret: str, line: str | None = None, path: str = "app/config.yaml", match: str | None = None) -> Candidate:
    line = line if line is not None else f"token: {secret}"
    return Candidate(secret=secret, match=match if match is not None else line.strip(), line=line, path=path)


def generic(secret: str, line: str | None = None, path: str = "app/config.yaml") -> str | None:
    return is_false_positive(("generic",), cand(secret, line, path))


# -- the detect-secrets heuristics are reproduced faithfully -----------------------------------

SAMPLES = ["abcdefgh", "ABCDEF0123", "0123456789", "1234", "3a5e4b1c-8f0e-4c2d-9b7a-6e5f4d3c2b1a",
           "${TOKEN}", "{token}", "<token>", "$TOKEN", "x", "$", "", "*****", "Zq8vX2mK", "abc/def",
           "QWERTYUI", "0123456789ABCDEF", "ABCDEFGHIJKLMNOPQRSTUVWXYZ=/"]


@pytest.mark.parametrize("value", SAMPLES)
def test_secret_heuristics_agree_with_detect_secrets(value: str) -> None:
    heuristic = pytest.importorskip("detect_secrets.filters.heuristic")
    assert F.is_sequential_string(value) == heuristic.is_sequential_string(value)
    assert F.is_potential_uuid(value) == heuristic.is_potential_uuid(value)
    assert F.is_prefixed_with_dollar_sign(value) == heuristic.is_prefixed_with_dollar_sign(value)
    assert F.is_not_alphanumeric_string(value) == heuristic.is_not_alphanumeric_string(value)
    assert F.is_templated_secret(value) == heuristic.is_templated_secret(value)


@pytest.mark.parametrize("line", ["secret = get_secret_key()", "key = request.headers['apikey']",
                                  "password = 'hunter2'", "token := os.Getenv(\"X\")", "a == b"])
def test_line_heuristics_agree_with_detect_secrets(line: str) -> None:
    heuristic = pytest.importorskip("detect_secrets.filters.heuristic")
    assert F.is_indirect_reference(line) == heuristic.is_indirect_reference(line)
    assert F.is_likely_id_string("hunter2", line) == heuristic.is_likely_id_string("hunter2", line)


@pytest.mark.parametrize("name", ["poetry.lock", "a/b/package-lock.json", "yarn.lock", "go.mod", "Cargo.lock"])
def test_lock_files_agree_with_detect_secrets(name: str) -> None:
    heuristic = pytest.importorskip("detect_secrets.filters.heuristic")
    assert F.is_lock_file(name) == heuristic.is_lock_file(name)


def test_filters_module_does_not_import_detect_secrets() -> None:
    code = "import sys, secretguard.scan.filters; print('detect_secrets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


# -- default bundle ------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [
    "changeme", "xxxxxxxxxxxxxxxx", "<your-api-key>", "your_api_key_here", "YOUR_API_KEY_HERE", "dummy",
    "<redacted>", "TODO", "${DB_PASSWORD}", "{{ .Values.password }}", "%(password)s", "#{secret}",
    "sk-...", "********", "0000000000000000", "secret-goes-here", "AKIA" + "IOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "abcdefghijklmnop", "1234567890123456",
    "3a5e4b1c-8f0e-4c2d-9b7a-6e5f4d3c2b1a", "process.env.API_TOKEN", "os.environ[", "vault:secret/data/db#pw",
])
def test_default_drops_placeholders_templates_references_and_examples(value: str) -> None:
    assert is_false_positive(("default",), cand(value)) is not None


def test_default_keeps_random_tokens_of_every_shape() -> None:
    for value in (rand(40), "ghp_" + rand(36), rand(64, "0123456789abcdef"), "hvb.AAAAAQ" + rand(90),
                  "IQoJb3JpZ2luX2Vj" + "//////////" + rand(150)):
        assert is_false_positive(("default",), cand(value)) is None, value


def test_publishable_keys_are_public() -> None:
    assert is_false_positive(("default",), cand("pk_" + "live_" + rand(24))) == "publishable"


def test_hits_inside_inline_base64_data_are_chance() -> None:
    # a random value can look like a placeholder by chance (a run like "xxxx"): that filter is not the point
    token = next(t for t in ("AIza" + rand(35) for _ in range(100)) if is_false_positive(("placeholder",), cand(t)) is None)
    line = f'background: url("data:image/png;base64,iVBORw0KGgo{token}AAAA")'
    assert is_false_positive(("default",), cand(token, line)) == "data_uri"


# -- generic bundle --------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "line", "path"), [
    ("$2b$12$" + "a" * 3 + rand(50), None, "fixtures/users.json"),                      # bcrypt
    ("pbkdf2_sha256$600000$" + rand(22) + "$" + rand(43), None, "fixtures/users.json"),
    ("sha512-" + rand(86) + "==", "  integrity: sha512-...", "yarn.lock"),               # lock file
    (rand(40, "0123456789abcdef"), None, "poetry.lock"),
    (rand(40, "0123456789abcdef"), "  - uses: actions/checkout@{v}", ".github/workflows/ci.yml"),
    ("user.password", "password = user.password", "app.py"),
    ("accessToken", "token: accessToken", "app.ts"),
    ("get_password()", "password = get_password()", "app.py"),
    ("/run/secrets/db_password", None, "app.yaml"),
    ("https://oauth2.googleapis.com/token", "token_uri: https://oauth2.googleapis.com/token", "a.json"),
    ("2024-03-16T03:45:09Z", "tokenExpirationTime: 2024-03-16T03:45:09Z", "a.json"),
    ("hunter2024", "password: hunter2024", "app.yaml"),
    ("Incorrect", 'INCORRECT_PASSWD = "Incorrect"', "test.py"),
    (rand(24), "password_hash: {v}", "app.yaml"),
    (rand(24), "NextToken: {v}", "page.json"),
    (rand(24), "public_key: {v}", "app.yaml"),
    ("arn:aws:secretsmanager:*:*:db*", "Resource: arn:aws:secretsmanager:*:*:db*", "policy.json"),
])
def test_generic_drops_what_is_not_a_credential(value: str, line: str | None, path: str) -> None:
    line = (line or "password: {v}").replace("{v}", value)
    assert generic(value, line, path) is not None


def test_generic_drops_unquoted_expressions_in_source_code_but_not_in_config() -> None:
    value = rand(24)
    assert generic(value, f"password = {value}", "settings.py") == "code_unquoted"
    assert generic(value, f"password = {value}", "settings.ini") is None


def test_generic_keeps_random_values_in_every_quoting() -> None:
    for value in (rand(20) + "!#", rand(32, "0123456789abcdef"), rand(40), "50bvq9lk(7j_*+y2#uw" + rand(20)):
        for line in (f'password = "{value}"', f"password: {value}", f"<password>{value}</password>",
                     f'"password = \\"{value}\\""'):
            c = Candidate(value, line, line, "config/app.cfg")
            assert is_false_positive(("generic",), c) is None, (value, line)


def test_call_form_counts_only_as_first_arguments() -> None:
    value = rand(20)
    line = f"define( 'DB_PASSWORD', '{value}' );"
    assert is_false_positive(("generic",), Candidate(value, f"PASSWORD', '{value}", line, "wp-config.php")) is None
    line = f"    ('http', 'user', 'password', '{value}')),"
    assert is_false_positive(("generic",), Candidate(value, f"password', '{value}", line, "t.py")) == "comma_form"


# -- encoded values ----------------------------------------------------------------------------

def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def test_basic_auth_must_decode_to_user_and_real_password() -> None:
    assert FILTERS["not_userpass_b64"](cand(b64("ci-bot:" + rand(18)))) is False
    assert FILTERS["not_userpass_b64"](cand(b64("user:password"))) is True
    assert FILTERS["not_userpass_b64"](cand(b64("no colon here"))) is True
    assert FILTERS["not_userpass_b64"](cand(rand(24))) is True


def test_jwt_header_must_name_an_algorithm() -> None:
    header = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').decode().rstrip("=")
    assert FILTERS["not_jwt"](cand(f"{header}.{rand(30)}.{rand(43)}")) is False
    assert FILTERS["not_jwt"](cand(f"eyJ{rand(20)}.{rand(30)}.{rand(43)}")) is True


def test_base64_pem_counts_only_for_private_keys() -> None:
    key = b64("-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA" + rand(48) + "\n")
    cert = b64("-----BEGIN CERTIFICATE-----\nMIIC" + rand(60) + "\n")
    assert FILTERS["not_b64_private_key"](cand(key)) is False
    assert FILTERS["not_b64_private_key"](cand(cert)) is True


def test_kubernetes_data_is_judged_by_what_it_decodes_to() -> None:
    keep = [b64("sk_" + "live_" + rand(24)), b64("postgresql://app:" + rand(16) + "@db:5432/app"), b64(rand(32))]
    drop = [b64("admin"), b64("changeme"), b64("db.acme.internal"), b64("5432"), b64("pk_" + "live_" + rand(24))]
    for value in keep:
        assert FILTERS["not_secret_b64_data"](cand(value, f"  api-key: {value}", match=f"  api-key: {value}")) is False
    for value in drop:
        assert FILTERS["not_secret_b64_data"](cand(value, f"  api-key: {value}", match=f"  api-key: {value}")) is True


def test_url_passwords_placeholders_and_defaults_are_dropped() -> None:
    for password, url in (("password", "postgres://user:password@localhost/db"), ("guest", "amqp://guest:guest@mq/"),
                          ("%s", "postgres://%s:%s@host/db"), ("p%2Fss", "https://user:p%2Fss@host")):
        assert FILTERS["weak_password"](Candidate(password, url, url, "a.env")) is True
    real = rand(20)
    url = f"postgres://app:{real}@localhost/db"
    assert FILTERS["weak_password"](Candidate(real, url, url, "a.env")) is False


# -- registry -----------------------------------------------------------------------------------

def test_bundles_name_existing_filters_and_report_the_member_that_fired() -> None:
    for parts in BUNDLES.values():
        assert all(p in FILTERS for p in parts)
    assert is_false_positive(("default",), cand("changeme")) == "placeholder"


def test_random_values_survive_generic_at_a_high_rate() -> None:
    """Recall guard: real secrets are random; the generic bundle must keep nearly all of them."""
    rng = random.Random(7)
    alphabets = [string.ascii_letters + string.digits, string.ascii_letters + string.digits + "!#%+=@~._-",
                 "0123456789abcdef", string.ascii_lowercase + string.digits]
    kept = total = 0
    for _ in range(2000):
        alphabet = rng.choice(alphabets)
        low = 24 if alphabet == "0123456789abcdef" else 16  # shorter hex is an id or a digest
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(low, 48)))
        total += 1
        kept += generic(value, f'API_TOKEN="{value}"', "deploy/.env.production") is None
    assert kept / total >= 0.97
