#pragma once
// Umbrella header of restws' WebSocket support: upgrade(), ws_t, message_t.

#include "restws/websocket/message.hpp"
#include "restws/websocket/settings.hpp"
#include "restws/websocket/topics.hpp"
#include "restws/websocket/upgrade.hpp"
#include "restws/websocket/ws.hpp"
