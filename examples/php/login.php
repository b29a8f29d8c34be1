<?php
// PHP with jumbojett/openid-connect-php (composer require jumbojett/openid-connect-php): "Đăng nhập bằng DVC".
// Register: redirect_uris ["https://dichvu.example.gov.vn/login.php"],
// post_logout_redirect_uris ["https://dichvu.example.gov.vn/"], token_endpoint_auth_method "client_secret_basic",
// id_token_signed_response_alg "RS256" (the algorithm every version of this library verifies).
require __DIR__ . '/vendor/autoload.php';

use Jumbojett\OpenIDConnectClient;
use Jumbojett\OpenIDConnectClientException;

session_start();
$oidc = new OpenIDConnectClient(getenv('DVC_ISSUER'), getenv('DVC_CLIENT_ID'), getenv('DVC_CLIENT_SECRET'));
$oidc->setRedirectURL('https://dichvu.example.gov.vn/login.php');
$oidc->addScope(['openid', 'profile']);
$oidc->setCodeChallengeMethod('S256');
$oidc->setTokenEndpointAuthMethodsSupported(['client_secret_basic']);

if (isset($_GET['error'])) {
    // Error responses (docs/integrators.md "Errors"): show your own page with the code.
    header('Location: /signin-failed.php?error=' . urlencode($_GET['error']));
    exit;
}
try {
    $oidc->authenticate();   // redirects to DVC ID, then checks state, nonce and the ID token on the way back
} catch (OpenIDConnectClientException $e) {
    header('Location: /signin-failed.php?error=server_error');
    exit;
}
$_SESSION['sub'] = $oidc->getVerifiedClaims('sub');
$_SESSION['acr'] = $oidc->getVerifiedClaims('acr');        // "2" or "3": check it before serving what needs level 3
$_SESSION['name'] = $oidc->requestUserInfo('name');
$_SESSION['id_token'] = $oidc->getIdToken();               // for sign-out: $oidc->signOut($_SESSION['id_token'], 'https://dichvu.example.gov.vn/')
header('Location: /');
