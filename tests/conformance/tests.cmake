# WebSocket conformance suite (Autobahn|Testsuite fuzzing-client behaviours) against the seed's
# echo server, one CTest test per section. Each test starts examples/ws_echo itself and stops it
# with SIGTERM (for 12 and 13, permessage-deflate, with --deflate: conformance.py adds it). The
# server listens on the fixed port 8080, hence the resource lock.
# By hand: tests/conformance/conformance.py --server build/debug/examples/ws_echo [--section N]
#   (over TLS: add --tls-cert CHAIN --tls-key KEY --cafile CA; see README.md)
set(RESTWS_TEST_PYTHON /usr/bin/python3 CACHE FILEPATH
    "Python for the conformance and interop suites (Debian's, which has python3-websockets)")

if(TARGET ws_echo)
  foreach(section 1 2 3 4 5 6 7 9 10 12 13)
    add_test(NAME conformance.section_${section}
             COMMAND ${RESTWS_TEST_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/conformance.py
                     --server $<TARGET_FILE:ws_echo> --section ${section})
    set_tests_properties(conformance.section_${section} PROPERTIES
                         RESOURCE_LOCK port8080 LABELS conformance TIMEOUT 600)
  endforeach()
endif()

# Over TLS: sections 1 (framing, up to 16 MiB frames written in chops) and 7 (the close
# handshake, and the TCP close after it, now under TLS) against ws_echo --tls-cert --tls-key with
# the certificates of fixture tls_certs; the client trusts only ca.pem and checks localhost.
if(TARGET ws_echo AND RESTWS_WITH_TLS)
  foreach(section 1 7)
    add_test(NAME conformance.wss.section_${section}
             COMMAND ${RESTWS_TEST_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/conformance.py
                     --server $<TARGET_FILE:ws_echo> --section ${section}
                     --tls-cert ${RESTWS_TEST_CERT_DIR}/server-chain.pem
                     --tls-key ${RESTWS_TEST_CERT_DIR}/server.key
                     --cafile ${RESTWS_TEST_CERT_DIR}/ca.pem)
    set_tests_properties(conformance.wss.section_${section} PROPERTIES
                         FIXTURES_REQUIRED tls_certs RESOURCE_LOCK port8080 LABELS conformance
                         TIMEOUT 600)
  endforeach()
endif()

# restws's client against the same cases with the roles turned round (client_conformance.py):
# a server of ours on a free loopback port sends the frames, client_agent echoes them through
# restws's client; sections 1-7, 9, 10 (Autobahn's fuzzing-server behaviours). No fixed port.
add_executable(restws_client_agent ${CMAKE_CURRENT_LIST_DIR}/client_agent.cpp)
target_link_libraries(restws_client_agent PRIVATE restws::restws)
restws_strict_warnings(restws_client_agent)
foreach(section 1 2 3 4 5 6 7 9 10)
  add_test(NAME conformance.client.section_${section}
           COMMAND ${RESTWS_TEST_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/client_conformance.py
                   --agent $<TARGET_FILE:restws_client_agent> --section ${section})
  set_tests_properties(conformance.client.section_${section} PROPERTIES
                       LABELS conformance TIMEOUT 600)
endforeach()
