from . import payload, rule_data, signing, template
