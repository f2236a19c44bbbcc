using Platform.Webhook.Admission;
using Platform.Webhook.Cli;
using Platform.Webhook.Diagnostics;
using Platform.Webhook.Health;
using Platform.Webhook.Hosting;
using Platform.Webhook.Policy;
using Platform.Webhook.Tls;

namespace Platform.Webhook;

internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (WebhookCli.IsCliCommand(args))
        {
            return WebhookCli.Run(args, Console.In, Console.Out, Console.Error);
        }

        try
        {
            await using var app = Build(args);
            await app.RunAsync().ConfigureAwait(false);
            return 0;
        }
        catch (Exception e) when (StartupFailure.Describe(e) is { } message)
        {
            await Console.Error.WriteLineAsync(message).ConfigureAwait(false);
            return 1;
        }
    }

    /// <summary>
    /// The composition root. <paramref name="replaceServices"/> lets integration tests swap a
    /// boundary (a failing policy source) in the otherwise real host.
    /// </summary>
    public static WebApplication Build(string[] args, Action<IServiceCollection>? replaceServices = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Services
            .AddWebhookDiagnostics(builder.Configuration)
            .AddPolicy(builder.Configuration)
            .AddTls(builder.Configuration)
            .AddAdmission(builder.Configuration)
            .AddHealth(builder.Configuration);
        builder.AddWebhookKestrel();
        replaceServices?.Invoke(builder.Services);

        var app = builder.Build();
        var admission = app.Services.GetRequiredService<AdmissionEndpoint>();
        var health = app.Services.GetRequiredService<HealthEndpoints>();
        // Admission is served only over TLS, probes and metrics only over plain HTTP: the scheme
        // of the connection says which listener a request came in on.
        app.Run(context => context.Request.IsHttps ? admission.InvokeAsync(context) : health.InvokeAsync(context));
        return app;
    }
}
