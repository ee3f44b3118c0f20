"""惠企政策: a policy library matched against the 法人库 and pushed (issue 14, item 4)."""
