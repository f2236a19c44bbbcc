using Platform.NodeAgent.Diagnostics;
using Platform.NodeAgent.Gpu;
using Platform.NodeAgent.Gpu.Simulated;
using Platform.NodeAgent.Hosting;
using Platform.NodeAgent.Metrics;

namespace Platform.NodeAgent;

/// <summary>Builds the agent's web host; Program runs it, integration tests start it in-process.</summary>
internal static class NodeAgentApp
{
    public const string DefaultUrl = "http://0.0.0.0:9400";

    public static WebApplication Build(string[] args, Action<IServiceCollection>? overrides = null)
    {
        // No appsettings reload: its file watcher walks the content root recursively at start (seconds
        // when started from a large directory). The content root is the binary's own folder.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = ["--hostBuilder:reloadConfigOnChange=false", .. args],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddJsonConsole(o =>
        {
            o.IncludeScopes = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
        });
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        // Streams and sockets are closed by the hosted services' StopAsync; give them time on SIGTERM.
        builder.Services.Configure<Microsoft.Extensions.Hosting.HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        builder.Services.AddNodeAgent(builder.Configuration);
        overrides?.Invoke(builder.Services);

        var app = builder.Build();
        app.MapDiagnostics();
        app.MapGpuMetrics();
        if (app.Services.GetRequiredService<GpuRuntime>().Simulator is { } simulator)
        {
            app.MapSimulator(simulator);
        }

        return app;
    }

    /// <summary>The <c>discover</c> command: configuration from the same sources as the host, no web server.</summary>
    public static int Discover(string[] args)
    {
        var configuration = new ConfigurationBuilder()
            .AddEnvironmentVariables()
            .AddCommandLine(args.Skip(1).ToArray())
            .Build();
        var options = new GpuOptions();
        configuration.GetSection(GpuOptions.Section).Bind(options);
        return DiscoverCommand.Run(options, Console.Out, Console.Error);
    }
}
