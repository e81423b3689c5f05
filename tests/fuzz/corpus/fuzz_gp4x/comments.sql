-- gphdfs://x
/* quicklz /* nested */ oids */ SELECT '--' || 'quicklz';