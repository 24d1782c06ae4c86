#pragma once
// The whole sans-IO WebSocket protocol core: frame codec, masking, validation, the incremental
// frame reader, UTF-8, close codes and payloads, the opening handshake. No Asio, no sockets.

#include "restws/websocket/protocol/base64.hpp"
#include "restws/websocket/protocol/close_payload.hpp"
#include "restws/websocket/protocol/frame_header.hpp"
#include "restws/websocket/protocol/frame_reader.hpp"
#include "restws/websocket/protocol/frame_validator.hpp"
#include "restws/websocket/protocol/frame_writer.hpp"
#include "restws/websocket/protocol/handshake.hpp"
#include "restws/websocket/protocol/masking.hpp"
#include "restws/websocket/protocol/opcode.hpp"
#include "restws/websocket/protocol/sha1.hpp"
#include "restws/websocket/protocol/status_code.hpp"
#include "restws/websocket/protocol/utf8_validator.hpp"
