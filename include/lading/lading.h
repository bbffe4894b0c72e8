/* lading: container image inventory and vulnerability scanner. Umbrella header. */
#ifndef LADING_H
#define LADING_H

#include "lading/common.h"
#include "lading/image.h"
#include "lading/sbom.h"
#include "lading/version.h"
#include "lading/vulndb.h"
#include "lading/scan.h"
#include "lading/fleet.h"
#include "lading/honeypot.h"
#include "lading/census.h"
#include "lading/inventory.h"
#include "lading/containers.h"
#include "lading/service.h"
#include "lading/vulndb.h"

#endif
