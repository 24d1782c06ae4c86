#pragma once
// RESTinio's name for the core header (samples include <restinio/core.hpp>): the same as
// restws/all.hpp.

#include "restws/all.hpp"
