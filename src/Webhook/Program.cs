using Platform.Webhook.Admission;
using Platform.Webhook.Cli;
using Platform.Webhook.Diagnostics;
using Platform.Webhook.Health;
using Platform.Webhook.Hosting;
using Platform.Webhook.Policy;
using Platform.Webhook.Server;
using Platform.Webhook.Settings;
using Platform.Webhook.Tls;

namespace Platform.Webhook;

internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (WebhookCli.IsCliCommand(args))
        {
            return WebhookCli.Run(args, Console.In, Console.Out, Console.Error, stdinIsTerminal: !Console.IsInputRedirected);
        }

        if (SettingsHelp.IsHelp(args))
        {
            await Console.Out.WriteAsync(SettingsHelp.Server() + Environment.NewLine + CliText.Usage + Environment.NewLine).ConfigureAwait(false);
            return 0;
        }

        if (SettingsHelp.IsVersion(args))
        {
            await Console.Out.WriteLineAsync($"raygpu-webhook {SettingsHelp.Version}").ConfigureAwait(false);
            return 0;
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
        builder.AddSettingsCheck(args);
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
        var time = app.Services.GetRequiredService<TimeProvider>();
        // Admission is served only over TLS, probes and metrics only over plain HTTP: the scheme
        // of the connection says which listener a request came in on.
        app.Run(context => context.Request.IsHttps ? AdmitAsync(context, admission, time) : health.InvokeAsync(context));
        return app;
    }

    /// <summary>An admission request, marked busy on its connection meanwhile: the connection cap evicts only idle ones.</summary>
    private static async Task AdmitAsync(HttpContext context, AdmissionEndpoint admission, TimeProvider time)
    {
        var connection = context.Features.Get<TrackedConnection>();
        connection?.RequestStarted();
        try
        {
            await admission.InvokeAsync(context).ConfigureAwait(false);
        }
        finally
        {
            connection?.RequestEnded(time.GetTimestamp());
        }
    }
}
