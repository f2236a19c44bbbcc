using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Platform.Webhook.Health;
using Platform.Webhook.Tls;

namespace Platform.Webhook.Server;

internal static class KestrelSetup
{
    /// <summary>
    /// Two listeners on the address of <c>urls</c>: HTTPS (TLS 1.2+, HTTP/1.1 and HTTP/2, the
    /// certificate chosen per handshake from <see cref="CertificateStore"/>) for admission, and plain
    /// HTTP on <c>Health:Port</c> for probes and metrics. Which one a request came in on decides
    /// what it may reach (see Program's dispatch), so a request to the wrong port gets 404.
    /// </summary>
    public static WebApplicationBuilder AddWebhookKestrel(this WebApplicationBuilder builder)
    {
        // Kestrel would also bind `urls` (and the container images' ASPNETCORE_HTTP_PORTS) itself and
        // warn at every start that the explicit listeners below override them. Take the value, then
        // leave ";" behind: an empty value would fall back to the host settings read at builder
        // creation, while ";" is a non-empty list of no addresses, which also silences the ports.
        var urls = builder.Configuration[WebHostDefaults.ServerUrlsKey];
        builder.WebHost.UseSetting(WebHostDefaults.ServerUrlsKey, ";");
        builder.Services.AddOptions<AdmissionListenOptions>()
            .Configure(options => options.Urls = string.IsNullOrWhiteSpace(urls) ? null : urls)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<AdmissionListenOptions>, AdmissionListenOptionsValidator>();
        builder.Services.AddOptions<ConnectionOptions>().Bind(builder.Configuration.GetSection(ConnectionOptions.SectionName)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ConnectionOptions>, ConnectionOptionsValidator>();
        builder.Services.TryAddSingleton<ConnectionLimiter>();
        builder.Services.TryAddSingleton<ConnectionLimitMiddleware>();

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Kestrel's options are built when the host resolves the server, before the start-up
            // validation runs. Invalid options here would throw only their own errors and hide the
            // rest; leaving the listeners unconfigured lets the validation list every error instead
            // (it stops the start before anything binds).
            if (Resolve(kestrel.ApplicationServices) is not var (address, healthPort, certificates, connections))
            {
                return;
            }

            kestrel.AddServerHeader = false;
            // The admission listener's own cap (ConnectionLimiter) evicts idle connections instead of refusing new
            // ones; Kestrel's MaxConcurrentConnections would refuse, so it stays unset. The health listener has no
            // cap: the kubelet's probes and the scraper use a few connections.
            kestrel.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(connections.IdleTimeoutSeconds);
            var limit = kestrel.ApplicationServices.GetRequiredService<ConnectionLimitMiddleware>();
            var tls = new TlsHandshakeCallbackOptions
            {
                OnConnection = _ => ValueTask.FromResult(certificates.ServerOptions),
                HandshakeTimeout = TimeSpan.FromSeconds(10),
            };
            Listen(kestrel, address, address.Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                // Ahead of TLS, so that a refused connection costs no handshake.
                listen.Use(next => connection => limit.OnConnectionAsync(connection, next));
                listen.UseHttps(tls);
            });
            Listen(kestrel, address, healthPort, listen => listen.Protocols = HttpProtocols.Http1);
        });
        return builder;
    }

    private static (ListenAddress Address, int HealthPort, CertificateStore Certificates, ConnectionOptions Connections)? Resolve(IServiceProvider services)
    {
        try
        {
            var urls = services.GetRequiredService<IOptions<AdmissionListenOptions>>().Value.Urls;
            var health = services.GetRequiredService<IOptions<HealthOptions>>().Value;
            var certificates = services.GetRequiredService<CertificateStore>();
            var connections = services.GetRequiredService<IOptions<ConnectionOptions>>().Value;
            return ListenAddress.TryParse(urls, out var address, out _) ? (address!, health.Port, certificates, connections) : null;
        }
        catch (OptionsValidationException)
        {
            return null;
        }
    }

    private static void Listen(KestrelServerOptions kestrel, ListenAddress address, int port, Action<ListenOptions> configure)
    {
        if (address.Localhost)
        {
            kestrel.ListenLocalhost(port, configure);
        }
        else if (address.Address is { } ip)
        {
            kestrel.Listen(ip, port, configure);
        }
        else
        {
            kestrel.ListenAnyIP(port, configure);
        }
    }
}
