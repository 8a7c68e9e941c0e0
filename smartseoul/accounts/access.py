"""Who may use the accounts pages and API (see smartseoul.core.access)."""

from smartseoul.core.access import OWNER, PUBLIC, SETTLED, SIGNED_IN, Rule

RULES = (
    Rule("accounts:signup", GET=PUBLIC, POST=PUBLIC),
    Rule("accounts:login", GET=PUBLIC, POST=PUBLIC),
    Rule("accounts:logout", POST=PUBLIC),
    Rule("accounts:second-factor", GET=SIGNED_IN, POST=SIGNED_IN),
    Rule("accounts:phone", GET=SIGNED_IN, POST=SIGNED_IN),
    Rule("accounts:resident", GET=SIGNED_IN, POST=SIGNED_IN),
    Rule("accounts:profile", GET=SIGNED_IN, POST=SETTLED, note="creates one's own API keys"),
    Rule("accounts:key-revoke", POST=OWNER, note="one's own keys only"),
    Rule("api/v1/accounts/me", GET=SIGNED_IN),
    Rule("api/v1/accounts/phone", POST=SIGNED_IN),
    Rule("api/v1/accounts/phone/confirm", POST=SIGNED_IN),
)
