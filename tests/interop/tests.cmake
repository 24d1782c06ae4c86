# Interop with real clients against the seed's echo server: the Python `websockets` client
# (Debian's, run by /usr/bin/python3), the Node `ws` client and headless Chromium, Debian's
# /usr/bin/chromium driven by playwright-core (both npm packages pinned by package-lock.json,
# installed by scripts/deps.sh, as is chromium). One CTest test per client and case; each starts
# examples/ws_echo through with_server.py and stops it with SIGTERM. Port 8080 is fixed, hence the
# resource lock.
# By hand: tests/interop/with_server.py --server build/debug/examples/ws_echo -- \
#            /usr/bin/python3 tests/interop/python_client.py      (or: node tests/interop/node_client.js)
#   node tests/interop/chromium_client.js deflate  (ws_echo started with --server-arg=--deflate)
# Over TLS (RESTWS_WITH_TLS): the same clients with --url wss://... --cafile, and
# https_client.py (curl, openssl s_client), against ws_echo --tls-cert --tls-key with the
# certificates of fixture tls_certs (tests/tls); see README.md.
set(RESTWS_TEST_PYTHON /usr/bin/python3 CACHE FILEPATH
    "Python for the conformance and interop suites (Debian's, which has python3-websockets)")
find_program(RESTWS_NODE node)

if(TARGET ws_echo)
  set(restws_interop_cases text binary large fragmented ping close)
  set(restws_interop_clients python)
  if(RESTWS_NODE)
    list(APPEND restws_interop_clients node)
  endif()
  foreach(client ${restws_interop_clients})
    if(client STREQUAL "python")
      set(client_command ${RESTWS_TEST_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/python_client.py)
    else()
      set(client_command ${RESTWS_NODE} ${CMAKE_CURRENT_LIST_DIR}/node_client.js)
    endif()
    foreach(case ${restws_interop_cases})
      add_test(NAME interop.${client}.${case}
               COMMAND ${RESTWS_TEST_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/with_server.py
                       --server $<TARGET_FILE:ws_echo> --timeout 60 -- ${client_command} ${case})
      set_tests_properties(interop.${client}.${case} PROPERTIES
                           RESOURCE_LOCK port8080 LABELS interop TIMEOUT 120)
    endforeach()
    # Keep-alive: with a 600 ms idle timeout the client, idle, sees the server's pings every
    # ~300 ms, answers them itself, and stays open across several timeouts.
    add_test(NAME interop.${client}.keepalive
             COMMAND ${RESTWS_TEST_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/with_server.py
                     --server $<TARGET_FILE:ws_echo> --server-arg=--idle-timeout-ms
                     --server-arg=600 --timeout 60 -- ${client_command} keepalive)
    set_tests_properties(interop.${client}.keepalive PROPERTIES
                         RESOURCE_LOCK port8080 LABELS interop TIMEOUT 120)
    # permessage-deflate: the client's default offer is accepted by ws_echo --deflate.
    add_test(NAME interop.${client}.deflate
             COMMAND ${RESTWS_TEST_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/with_server.py
                     --server $<TARGET_FILE:ws_echo> --server-arg=--deflate --timeout 60 --
                     ${client_command} deflate)
    set_tests_properties(interop.${client}.deflate PROPERTIES
                         RESOURCE_LOCK port8080 LABELS interop TIMEOUT 120)
    # Subprotocols: the client offers mqtt, graphql-transport-ws; the server's preference wins.
    add_test(NAME interop.${client}.subprotocol
             COMMAND ${RESTWS_TEST_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/with_server.py
                     --server $<TARGET_FILE:ws_echo> --server-arg=--subprotocols
                     --server-arg=graphql-transport-ws,mqtt --timeout 60 --
                     ${client_command} subprotocol)
    set_tests_properties(interop.${client}.subprotocol PROPERTIES
                         RESOURCE_LOCK port8080 LABELS interop TIMEOUT 120)
  endforeach()
  # A browser: Chromium offers permessage-deflate by itself, and ws_echo --deflate must agree
  # (deflate) while ws_echo without it must answer no extension (plain); both then echo text and
  # binary messages of 20 B to 1 MiB. Fails, not skips, when chromium or playwright-core is absent.
  if(RESTWS_NODE)
    foreach(case deflate plain)
      if(case STREQUAL "deflate")
        set(server_args --server-arg=--deflate)
      else()
        set(server_args)
      endif()
      add_test(NAME interop.chromium.${case}
               COMMAND ${RESTWS_TEST_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/with_server.py
                       --server $<TARGET_FILE:ws_echo> ${server_args} --timeout 60 --
                       ${RESTWS_NODE} ${CMAKE_CURRENT_LIST_DIR}/chromium_client.js ${case})
      set_tests_properties(interop.chromium.${case} PROPERTIES
                           RESOURCE_LOCK port8080 LABELS interop TIMEOUT 120)
    endforeach()
  endif()
endif()

# The same over TLS: ws_echo --tls-cert server-chain.pem --tls-key server.key serves wss:// and
# https on port 8080; the clients trust only the test CA (ca.pem) and check the host name
# (Chromium: the CA's key, pinned, as the chain ws_echo sends ends with it). interop.<client>.wss.
# <case> for Python and Node; in Chromium the page (about:blank) first fetches https://.../ (the
# 404 answer will do), then opens the WebSocket; curl and openssl s_client check keep-alive, the
# chain, ALPN http/1.1, TLS 1.3 and TLS 1.2.
if(TARGET ws_echo AND RESTWS_WITH_TLS)
  set(restws_tls_server_args
      --server-arg=--tls-cert --server-arg=${RESTWS_TEST_CERT_DIR}/server-chain.pem
      --server-arg=--tls-key --server-arg=${RESTWS_TEST_CERT_DIR}/server.key)
  set(restws_tls_ca ${RESTWS_TEST_CERT_DIR}/ca.pem)

  # restws_interop_tls_test(NAME SERVER_ARGS... -- COMMAND...): ws_echo over TLS (plus
  # SERVER_ARGS) around COMMAND, once the certificates exist.
  function(restws_interop_tls_test name)
    list(FIND ARGN "--" split)
    list(SUBLIST ARGN 0 ${split} server_args)
    math(EXPR split "${split} + 1")
    list(SUBLIST ARGN ${split} -1 command)
    add_test(NAME ${name}
             COMMAND ${RESTWS_TEST_PYTHON} ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/with_server.py
                     --server $<TARGET_FILE:ws_echo> ${restws_tls_server_args} ${server_args}
                     --timeout 60 -- ${command})
    set_tests_properties(${name} PROPERTIES FIXTURES_REQUIRED tls_certs RESOURCE_LOCK port8080
                                            LABELS interop TIMEOUT 120)
  endfunction()

  foreach(client ${restws_interop_clients})
    if(client STREQUAL "python")
      set(client_command ${RESTWS_TEST_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/python_client.py)
    else()
      set(client_command ${RESTWS_NODE} ${CMAKE_CURRENT_LIST_DIR}/node_client.js)
    endif()
    list(APPEND client_command --url wss://localhost:8080/chat --cafile ${restws_tls_ca})
    foreach(case ${restws_interop_cases} deflate keepalive subprotocol)
      if(case STREQUAL "deflate")
        set(server_args --server-arg=--deflate)
      elseif(case STREQUAL "keepalive")
        set(server_args --server-arg=--idle-timeout-ms --server-arg=600)
      elseif(case STREQUAL "subprotocol")
        set(server_args --server-arg=--subprotocols --server-arg=graphql-transport-ws,mqtt)
      else()
        set(server_args)
      endif()
      restws_interop_tls_test(interop.${client}.wss.${case} ${server_args} --
                              ${client_command} ${case})
    endforeach()
  endforeach()

  if(RESTWS_NODE)
    foreach(case deflate plain)
      if(case STREQUAL "deflate")
        set(server_args --server-arg=--deflate)
      else()
        set(server_args)
      endif()
      restws_interop_tls_test(interop.chromium.wss.${case} ${server_args} --
                              ${RESTWS_NODE} ${CMAKE_CURRENT_LIST_DIR}/chromium_client.js
                              --url wss://127.0.0.1:8080/chat --cafile ${restws_tls_ca}
                              --fetch https://127.0.0.1:8080/ ${case})
    endforeach()
  endif()

  set(https_client ${RESTWS_TEST_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/https_client.py
                   --cafile ${restws_tls_ca} --expect-alpn http/1.1)
  restws_interop_tls_test(interop.curl.https -- ${https_client} curl)
  restws_interop_tls_test(interop.openssl.alpn_tls13 -- ${https_client} tls13)
  restws_interop_tls_test(interop.openssl.tls12 -- ${https_client} tls12)

  # RESTinio's websocket_wss sample with only the namespace renamed (examples/wss_restinio),
  # its certificates from the same fixture: a RESTinio TLS server runs on restws unchanged.
  if(TARGET wss_restinio)
    add_test(NAME interop.python.wss.restinio_sample
             COMMAND ${RESTWS_TEST_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/with_server.py
                     --server $<TARGET_FILE:wss_restinio> --server-arg=${RESTWS_TEST_CERT_DIR}
                     --timeout 60 -- ${RESTWS_TEST_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/python_client.py
                     --url wss://localhost:8080/chat --cafile ${restws_tls_ca}
                     text binary large fragmented ping close)
    set_tests_properties(interop.python.wss.restinio_sample PROPERTIES
                         FIXTURES_REQUIRED tls_certs RESOURCE_LOCK port8080 LABELS interop
                         TIMEOUT 120)
  endif()
endif()

# restws's client (examples/ws_client) against other libraries' servers: the Python websockets
# server (peer_server.py) and the Node ws server (peer_server.js), on free loopback ports (no
# lock). Cases: client_interop.py's docstring; wss with the certificates of fixture tls_certs.
if(TARGET ws_client)
  set(restws_client_peers python)
  if(RESTWS_NODE)
    list(APPEND restws_client_peers node)
  endif()
  foreach(peer ${restws_client_peers})
    foreach(case text large deflate subprotocol wss refused)
      add_test(NAME interop.client.${peer}.${case}
               COMMAND ${RESTWS_TEST_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/client_interop.py
                       --client $<TARGET_FILE:ws_client> --peer ${peer} --node ${RESTWS_NODE}
                       --cert ${RESTWS_TEST_CERT_DIR}/server-chain.pem
                       --key ${RESTWS_TEST_CERT_DIR}/server.key
                       --ca ${RESTWS_TEST_CERT_DIR}/ca.pem ${case})
      set_tests_properties(interop.client.${peer}.${case} PROPERTIES
                           FIXTURES_REQUIRED tls_certs LABELS interop TIMEOUT 120)
    endforeach()
  endforeach()
  # And against the seed's echo server, examples/ws_echo (port 8080, hence the lock).
  if(TARGET ws_echo)
    foreach(case text large deflate)
      set(server_args)
      if(case STREQUAL "deflate")
        set(server_args --server-arg=--deflate)
      endif()
      add_test(NAME interop.client.ws_echo.${case}
               COMMAND ${RESTWS_TEST_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/with_server.py
                       --server $<TARGET_FILE:ws_echo> ${server_args} --timeout 60 --
                       ${RESTWS_TEST_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/client_interop.py
                       --client $<TARGET_FILE:ws_client> --peer running
                       --url ws://localhost:8080/chat ${case})
      set_tests_properties(interop.client.ws_echo.${case} PROPERTIES
                           RESOURCE_LOCK port8080 LABELS interop TIMEOUT 120)
    endforeach()
  endif()
endif()
