// warden/crypto/openssl.hpp: ownership of OpenSSL objects.
//
//     crypto::owned<X509> cert(PEM_read_bio_X509(...));   // X509_free when it goes
//
// One deleter, overloaded per type, so every handle is a std::unique_ptr and nothing leaks
// on an early return.
#pragma once

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace warden::crypto {

struct openssl_free {
    void operator()(BIO* p) const noexcept { BIO_free(p); }
    void operator()(BIGNUM* p) const noexcept { BN_free(p); }
    void operator()(EC_GROUP* p) const noexcept { EC_GROUP_free(p); }
    void operator()(ECDSA_SIG* p) const noexcept { ECDSA_SIG_free(p); }
    void operator()(EVP_MD_CTX* p) const noexcept { EVP_MD_CTX_free(p); }
    void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
    void operator()(EVP_PKEY_CTX* p) const noexcept { EVP_PKEY_CTX_free(p); }
    void operator()(GENERAL_NAMES* p) const noexcept { GENERAL_NAMES_free(p); }
    void operator()(OSSL_PARAM* p) const noexcept { OSSL_PARAM_free(p); }
    void operator()(OSSL_PARAM_BLD* p) const noexcept { OSSL_PARAM_BLD_free(p); }
    void operator()(X509* p) const noexcept { X509_free(p); }
    void operator()(X509_CRL* p) const noexcept { X509_CRL_free(p); }
    void operator()(X509_STORE* p) const noexcept { X509_STORE_free(p); }
    void operator()(X509_STORE_CTX* p) const noexcept { X509_STORE_CTX_free(p); }
};

template <class T>
using owned = std::unique_ptr<T, openssl_free>;

} // namespace warden::crypto
