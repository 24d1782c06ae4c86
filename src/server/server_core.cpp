#include "restws/server/detail/server_core.hpp"

#include <asio/post.hpp>
#include <csignal>
#include <stdexcept>

#include "../pubsub/topic_hub_impl.hpp"
#include "server_core_impl.hpp"

namespace restws::detail {
namespace {

asio::ip::tcp::endpoint resolve_endpoint(asio::io_context& io, const std::string& address,
                                         std::uint16_t port) {
  if (address.empty()) return {asio::ip::tcp::v4(), port};
  std::error_code ec;
  const auto literal = asio::ip::make_address(address, ec);
  if (!ec) return {literal, port};
  asio::ip::tcp::resolver resolver{io};
  const auto results = resolver.resolve(
      address, std::to_string(port),
      asio::ip::tcp::resolver::passive | asio::ip::tcp::resolver::numeric_service, ec);
  if (ec || results.empty())
    throw std::runtime_error{"restws: cannot resolve address '" + address +
                             "': " + (ec ? ec.message() : std::string{"no result"})};
  for (const auto& r : results)  // prefer IPv4, as the default does
    if (r.endpoint().address().is_v4()) return r.endpoint();
  return results.begin()->endpoint();
}

}  // namespace

server_core_impl_t::server_core_impl_t(server_config_t config) : config_{std::move(config)} {
  if (!config_.logger) config_.logger = std::make_shared<null_logger_t>();
  if (!config_.topics) config_.topics = websocket::basic::topic_hub_t::make();
  if (config_.tls_context) reload_tls(config_.tls_context, config_.tls_server_names);
  reactors_.reserve(config_.thread_count);
  for (std::size_t i = 0; i < config_.thread_count; ++i)
    reactors_.push_back(std::make_unique<reactor_t>(*this, config_));
}

server_core_impl_t::~server_core_impl_t() {
  request_stop();
  wait();
  signals_.reset();
  accept_retry_.reset();
  acceptor_.reset();
}

void server_core_impl_t::open(bool use_calling_thread) {
  if (opened_) throw std::logic_error{"restws: server already opened"};
  auto& io0 = reactors_.front()->io();
  const auto endpoint = resolve_endpoint(io0, config_.address, config_.port);
  acceptor_.emplace(io0);
  acceptor_->open(endpoint.protocol());
  acceptor_->set_option(asio::socket_base::reuse_address{true});
  acceptor_->bind(endpoint);
  acceptor_->listen(asio::socket_base::max_listen_connections);
  endpoint_ = acceptor_->local_endpoint();
  accept_retry_.emplace(io0);
  opened_ = true;
  reactors_not_drained_ = reactors_.size();
  for (auto& r : reactors_) r->start();
  accept_next();
  hub().server_opened(io0, config_.logger);
  for (std::size_t i = use_calling_thread ? 1 : 0; i < reactors_.size(); ++i)
    threads_.emplace_back([this, r = reactors_[i].get()] { run_reactor(*r); });
}

void server_core_impl_t::run_reactor(reactor_t& r) { r.run(); }

void server_core_impl_t::stop_on_signals() {
  signals_.emplace(reactors_.front()->io(), SIGINT, SIGTERM);
  signals_->async_wait([this](const std::error_code& ec, int) {
    if (!ec) request_stop();
  });
}

void server_core_impl_t::accept_next() {
  reactor_t& target = *reactors_[next_reactor_];
  next_reactor_ = (next_reactor_ + 1) % reactors_.size();
  acceptor_->async_accept(
      target.io(), [this, &target](const std::error_code& ec, asio::ip::tcp::socket socket) {
        if (stop_requested_ || ec == asio::error::operation_aborted) return;
        if (ec) {  // e.g. out of descriptors: log, breathe, retry
          config_.logger->warn([&] { return "accept failed: " + ec.message(); });
          accept_retry_->expires_after(std::chrono::milliseconds{50});
          accept_retry_->async_wait([this](const std::error_code& e) {
            if (!e && !stop_requested_) accept_next();
          });
          return;
        }
        const connection_id_t id = next_connection_id_++;
        if (&target == reactors_.front().get()) {
          target.add_connection(std::move(socket), id);
        } else {
          asio::post(target.io(), [&target, id, s = std::move(socket)]() mutable {
            target.add_connection(std::move(s), id);
          });
        }
        accept_next();
      });
}

void server_core_impl_t::request_stop() {
  if (!opened_ || stop_requested_.exchange(true)) return;
  asio::post(reactors_.front()->io(), [this] {
    std::error_code ec;
    if (acceptor_) acceptor_->close(ec);
    if (signals_) signals_->cancel(ec);
    if (accept_retry_) accept_retry_->cancel();
  });
  for (auto& r : reactors_) asio::post(r->io(), [r = r.get()] { r->begin_stop(); });
}

void server_core_impl_t::reactor_drained() {
  if (--reactors_not_drained_ != 0) return;
  if (config_.cleanup_func) {
    try {
      config_.cleanup_func();
    } catch (const std::exception& ex) {
      config_.logger->error([&] { return std::string{"cleanup_func threw: "} + ex.what(); });
    } catch (...) {
      config_.logger->error([] { return std::string{"cleanup_func threw"}; });
    }
  }
  // A bridge of the hub runs on the first reactor: it lets go before that reactor stops.
  asio::post(reactors_.front()->io(), [this] { hub().server_closing(); });
  for (auto& r : reactors_) asio::post(r->io(), [r = r.get()] { r->finish_stop(); });
}

pubsub::detail::topic_hub_impl_t& server_core_impl_t::hub() const {
  return static_cast<pubsub::detail::topic_hub_impl_t&>(*config_.topics);
}

void server_core_impl_t::wait() {
  if (waited_) return;
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  waited_ = opened_;
}

void server_core_impl_t::reload_tls(std::shared_ptr<asio::ssl::context> context,
                                    std::vector<tls_server_name_t> names) {
  if (!config_.tls_context)
    throw std::logic_error{"restws: reload_tls() on a server without TLS (tls_context())"};
  auto bundle =
      std::make_shared<const tls_contexts_t>(std::move(context), std::move(names), *config_.logger);
  tls_.store(std::move(bundle), std::memory_order_release);
  config_.logger->info([] { return std::string{"tls: certificates loaded for new connections"}; });
}

// ---- server_core_t -------------------------------------------------------------------------

server_core_t::server_core_t(server_config_t config)
    : impl_{std::make_unique<server_core_impl_t>(std::move(config))} {}
server_core_t::~server_core_t() = default;
void server_core_t::open(bool use_calling_thread) { impl_->open(use_calling_thread); }
void server_core_t::run_first_reactor() { impl_->run_reactor(*impl_->reactors_.front()); }
void server_core_t::stop_on_signals() { impl_->stop_on_signals(); }
void server_core_t::request_stop() { impl_->request_stop(); }
void server_core_t::wait() { impl_->wait(); }
void server_core_t::close() {
  impl_->request_stop();
  impl_->wait();
}
asio::ip::tcp::endpoint server_core_t::local_endpoint() const { return impl_->endpoint_; }
websocket::basic::topic_hub_t& server_core_t::topics() const { return *impl_->config_.topics; }
void server_core_t::reload_tls(std::shared_ptr<asio::ssl::context> context,
                               std::vector<tls_server_name_t> names) {
  impl_->reload_tls(std::move(context), std::move(names));
}

}  // namespace restws::detail
