// libyaml (Debian's libyaml-dev): the YAML 1.1 parser that Yams wraps, used directly so the exporter needs no full
// Foundation (Yams resolves scalars with NSRegularExpression).
#ifndef GENESYS_CYAML_SHIM_H
#define GENESYS_CYAML_SHIM_H

#include <yaml.h>

#endif
