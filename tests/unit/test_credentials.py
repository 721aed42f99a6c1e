"""Loading credentials: unusable service accounts named, google-auth loaded only when needed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from adapter.upstream.credentials import service_account_credentials
from tests.conftest import Credentials

ROOT = Path(__file__).resolve().parents[2]


def test_an_unreadable_private_key_is_named_and_the_others_load(credentials: Credentials) -> None:
    good = credentials.service_accounts[0].info
    broken = {**good, "private_key": "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n"}
    loaded, report = service_account_credentials(json.dumps([broken, good]), Path("/nonexistent"), None, 4, isolated=True)
    assert [cred.label for cred in loaded] == ["sa#0"] and loaded[0].source == "GOOGLE_CREDENTIALS_JSON entry #2"
    assert report.rejected == ("GOOGLE_CREDENTIALS_JSON entry #1 holds an unreadable private key",)
    assert loaded[0].token is not None


def test_express_keys_alone_do_not_load_google_auth() -> None:
    program = (
        "import sys\n"
        "from adapter import create_app\n"
        "from adapter.settings import load_settings\n"
        "create_app(load_settings({'API_KEY': 'sk-' + 'x' * 20, 'VERTEX_EXPRESS_API_KEY': 'AQ.express-key-for-test', 'CREDENTIALS_DIR': '/nonexistent'}))\n"
        "print(sorted({name.split('.')[0] for name in sys.modules if name.startswith(('google.auth', 'google.oauth2', 'cryptography'))}))\n"
    )
    result = subprocess.run([sys.executable, "-c", program], cwd=ROOT, capture_output=True, text=True, timeout=30, check=True)
    assert result.stdout.strip() == "[]"
