from . import signing, ssrf, template
