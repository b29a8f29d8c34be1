// ASP.NET Core 8/9 with Microsoft.AspNetCore.Authentication.OpenIdConnect: "Đăng nhập bằng DVC".
// Register: redirect_uris ["https://dichvu.example.gov.vn/signin-dvc"],
// post_logout_redirect_uris ["https://dichvu.example.gov.vn/signout-callback-dvc"],
// token_endpoint_auth_method "client_secret_post" (what this handler sends).
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddAuthentication(o =>
{
    o.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
    o.DefaultChallengeScheme = "dvc";
})
.AddCookie()
.AddOpenIdConnect("dvc", "Đăng nhập bằng DVC", o =>
{
    o.Authority = builder.Configuration["Dvc:Issuer"];          // discovery: {Authority}/.well-known/openid-configuration
    o.ClientId = builder.Configuration["Dvc:ClientId"];
    o.ClientSecret = builder.Configuration["Dvc:ClientSecret"];
    o.ResponseType = OpenIdConnectResponseType.Code;
    o.ResponseMode = OpenIdConnectResponseMode.FormPost;        // the handler's default; DVC ID supports it
    o.UsePkce = true;                                           // S256
    o.Scope.Clear();
    o.Scope.Add("openid");
    o.Scope.Add("profile");
    o.CallbackPath = "/signin-dvc";
    o.SignedOutCallbackPath = "/signout-callback-dvc";
    o.GetClaimsFromUserInfoEndpoint = true;
    o.SaveTokens = true;                                        // keeps the id_token for the logout hint
    o.MapInboundClaims = false;                                 // keep sub, name, acr, amr as DVC ID names them
    o.TokenValidationParameters.NameClaimType = "name";
    o.TokenValidationParameters.ValidAlgorithms = new[] { "ES256", "RS256" };
    o.Events.OnRemoteFailure = context =>
    {
        // Error responses (docs/integrators.md "Errors"): show your own page with the code.
        var error = context.Request.HasFormContentType ? context.Request.Form["error"].ToString() : context.Request.Query["error"].ToString();
        context.Response.Redirect("/signin-failed?error=" + Uri.EscapeDataString(error));
        context.HandleResponse();
        return Task.CompletedTask;
    };
});
builder.Services.AddAuthorization();

var app = builder.Build();
app.UseAuthentication();
app.UseAuthorization();
app.MapGet("/", (HttpContext http) => http.User.Identity?.IsAuthenticated == true
    ? Results.Text($"Xin chào {http.User.Identity.Name}, acr {http.User.FindFirst("acr")?.Value}")
    : Results.Challenge(new AuthenticationProperties { RedirectUri = "/" }, new[] { "dvc" }));
app.MapPost("/logout", () => Results.SignOut(new AuthenticationProperties { RedirectUri = "/" },
    new[] { CookieAuthenticationDefaults.AuthenticationScheme, "dvc" }));   // RP-initiated logout at DVC ID
app.Run();
