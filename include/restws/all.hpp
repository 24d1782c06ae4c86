#pragma once
// Everything needed for an HTTP server: settings, run(), request_t, response builders, loggers,
// and the router when available.

#include "restws/http/header_fields.hpp"
#include "restws/http/method.hpp"
#include "restws/http/status.hpp"
#include "restws/router/express.hpp"
#include "restws/server/connection_handoff.hpp"
#include "restws/server/http_server.hpp"
#include "restws/server/logger.hpp"
#include "restws/server/request.hpp"
#include "restws/server/response_builder.hpp"
#include "restws/server/settings.hpp"
#include "restws/server/traits.hpp"
