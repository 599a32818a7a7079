// The one translation unit that compiles Boost.Asio (with SSL) and Boost.Beast. Everything else
// sees only declarations (BOOST_ASIO_SEPARATE_COMPILATION / BOOST_BEAST_SEPARATE_COMPILATION are
// PUBLIC on kelisim_boost_sources), which keeps the 2-core build affordable.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
