"""个人空间 and 企业空间: what a person or a business has going on (issue 14, item 3)."""
