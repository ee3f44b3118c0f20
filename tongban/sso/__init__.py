"""Single sign-on: Tongban as the OpenID Connect provider of other systems (issue 14)."""
