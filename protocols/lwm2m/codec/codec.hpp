// edgegw::lwm2m codec library: the one header the LwM2M gateway includes. Pure: no I/O
// except object_registry::load_directory reading definition files; no libcoap.
#pragma once
#include "command.hpp"
#include "content_format.hpp"
#include "decode.hpp"
#include "encode.hpp"
#include "object_registry.hpp"
#include "path.hpp"
#include "registration.hpp"
#include "response.hpp"
#include "result.hpp"
#include "tlv.hpp"
#include "value.hpp"
