from . import signing, template
