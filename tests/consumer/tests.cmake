# A consumer project outside the tree: install restws into a scratch prefix, then build a small
# program with find_package(restws) and another with pkg-config, and run them.
set(_consumer_flags "")
if(RESTWS_SANITIZE)
  set(_consumer_flags "-fsanitize=address,undefined")
endif()
set(_consumer_sources "")
foreach(example hello ws_echo)
  if(EXISTS ${PROJECT_SOURCE_DIR}/examples/${example}/main.cpp)
    list(APPEND _consumer_sources ${PROJECT_SOURCE_DIR}/examples/${example}/main.cpp)
  endif()
endforeach()
add_test(NAME consumer.find_package_and_pkg_config
         COMMAND ${CMAKE_COMMAND}
                 -DBUILD_DIR=${PROJECT_BINARY_DIR}
                 -DPROJECT_DIR=${CMAKE_CURRENT_LIST_DIR}/project
                 -DWORK_DIR=${CMAKE_CURRENT_BINARY_DIR}/consumer
                 -DEXTRA_FLAGS=${_consumer_flags}
                 "-DEXAMPLE_SOURCES=${_consumer_sources}"
                 -P ${CMAKE_CURRENT_LIST_DIR}/run_consumer.cmake)
set_tests_properties(consumer.find_package_and_pkg_config PROPERTIES LABELS consumer TIMEOUT 600)
