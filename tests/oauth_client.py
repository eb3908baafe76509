"""A stock OAuth 2.0 client (requests-oauthlib's BackendApplicationClient) gets a token from the
server with client credentials and uses it; run by tests/stock_clients.sh."""

import os
import sys

from oauthlib.oauth2 import BackendApplicationClient
from requests.auth import HTTPBasicAuth
from requests_oauthlib import OAuth2Session

# The test server listens on plain HTTP on loopback; production sits behind TLS.
os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"

base, client_id, client_secret = sys.argv[1:4]
token_url = f"{base}/api/v1/auth/token"

# HTTP Basic client authentication, as most OAuth 2.0 libraries send it.
session = OAuth2Session(client=BackendApplicationClient(client_id=client_id))
token = session.fetch_token(token_url=token_url, auth=HTTPBasicAuth(client_id, client_secret))
assert token["token_type"].lower() == "bearer", token
assert token["expires_in"] > 0, token

# The same with the credentials in the form body.
body_session = OAuth2Session(client=BackendApplicationClient(client_id=client_id))
body_token = body_session.fetch_token(
    token_url=token_url, client_id=client_id, client_secret=client_secret, include_client_id=True
)
assert body_token["access_token"], body_token

# The token works: an NGO system sees exactly its own organisation (R11).
organizations = session.get(f"{base}/api/v1/organizations").json()["items"]
assert len(organizations) == 1 and organizations[0]["kind"] == "ngo", organizations

# A wrong secret is an RFC 6749 invalid_client.
bad = OAuth2Session(client=BackendApplicationClient(client_id=client_id))
try:
    bad.fetch_token(token_url=token_url, auth=HTTPBasicAuth(client_id, "wrong-secret"))
except Exception as error:  # oauthlib raises InvalidClientError
    assert "invalid_client" in str(error), error
else:
    raise AssertionError("a wrong secret was accepted")
print("requests-oauthlib BackendApplicationClient: ok")
