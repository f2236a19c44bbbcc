using Microsoft.Extensions.Logging.Console;
using Platform.NodeAgent.Diagnostics;
using Platform.NodeAgent.Gpu;
using Platform.NodeAgent.Gpu.Simulated;
using Platform.NodeAgent.Hosting;
using Platform.NodeAgent.Metrics;
using Platform.NodeAgent.Startup;

namespace Platform.NodeAgent;

/// <summary>Builds the agent's web host; Program runs it, integration tests start it in-process.</summary>
internal static class NodeAgentApp
{
    public const string DefaultUrl = "http://0.0.0.0:9400";

    /// <summary>Bad values listed in one report at most; far more than the agent has keys of a convertible type.</summary>
    private const int MaxUnconvertible = 100;

    /// <summary>
    /// Builds the host and checks the whole configuration before anything is opened or bound, then opens the
    /// GPU driver; throws <see cref="AgentConfigurationException"/> listing every problem.
    /// </summary>
    public static WebApplication Build(string[] args, Action<IServiceCollection>? overrides = null)
    {
        var unconvertible = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var problems = new List<string>();
        while (true)
        {
            var (app, tracker) = BuildHost(args, overrides, unconvertible);
            var check = ConfigurationCheck.Run(app.Services, tracker, CommandLineKeys(args));
            tracker.Enabled = false;
            problems.AddRange(check.Problems);

            // A bad value stops binding at its key: build again without it to find the next (a few ms each).
            if (check.UnconvertibleKey is { } key && unconvertible.Add(key) && unconvertible.Count < MaxUnconvertible)
            {
                ((IDisposable)app).Dispose();
                continue;
            }

            if (problems.Count > 0)
            {
                ((IDisposable)app).Dispose();
                throw new AgentConfigurationException(problems);
            }

            // The driver opens here, before anything is mapped; Gpu:FailOnInitError without one refuses the start.
            GpuRuntime gpu;
            try
            {
                gpu = app.Services.GetRequiredService<GpuRuntime>();
            }
            catch (AgentConfigurationException)
            {
                ((IDisposable)app).Dispose();
                throw;
            }

            app.MapDiagnostics();
            app.MapGpuMetrics();
            if (gpu.Simulator is { } simulator)
            {
                SimulatedInClusterNotice.LogIfInCluster(app.Logger, app.Services.GetRequiredService<ClusterDetector>());
                app.MapSimulator(simulator);
            }

            return app;
        }
    }

    /// <summary>The <c>discover</c> command: configuration from the same sources as the host, no web server.</summary>
    public static int Discover(string[] args)
    {
        var configuration = new ConfigurationBuilder()
            .AddEnvironmentVariables()
            .AddCommandLine(args.Skip(1).ToArray())
            .Build();
        var options = new GpuOptions();
        try
        {
            configuration.GetSection(GpuOptions.Section).Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            // A value of the wrong type: say which, as the agent does, without a stack trace.
            Console.Error.WriteLine(ex.Message);
            return AgentConfigurationException.ExitCode;
        }

        return DiscoverCommand.Run(options, Console.Out, Console.Error);
    }

    private static (WebApplication App, ConfigurationReadTracker Tracker) BuildHost(string[] args, Action<IServiceCollection>? overrides, IReadOnlySet<string> masked)
    {
        WebApplicationBuilder builder;
        try
        {
            // No appsettings reload: its file watcher walks the content root recursively at start (seconds
            // when started from a large directory). The content root is the binary's own folder.
            builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
            {
                Args = ["--hostBuilder:reloadConfigOnChange=false", .. args],
                ContentRootPath = AppContext.BaseDirectory,
            });
        }
        catch (FormatException ex)
        {
            throw new AgentConfigurationException([$"The command line could not be read: {ex.Message} Pass options as --Section:Key=value."]);
        }

        var tracker = ConfigurationReadTracker.Attach(builder.Configuration, masked);
        ConfigureLogging(builder);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        // Streams and sockets are closed by the hosted services' StopAsync; give them time on SIGTERM.
        builder.Services.Configure<Microsoft.Extensions.Hosting.HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        builder.Services.AddNodeAgent(builder.Configuration);
        overrides?.Invoke(builder.Services);
        return (builder.Build(), tracker);
    }

    /// <summary>JSON lines for containers; <c>--Logging:Console:FormatterName=simple</c> gives one readable line per entry.</summary>
    private static void ConfigureLogging(WebApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddConsole();

        // Console options come with a formatter already named, so "JSON unless configured" is decided here.
        var formatter = builder.Configuration["Logging:Console:FormatterName"];
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.FormatterName = string.IsNullOrEmpty(formatter) ? ConsoleFormatterNames.Json : formatter);
        builder.Services.Configure<JsonConsoleFormatterOptions>(o =>
        {
            o.IncludeScopes = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
        });
        builder.Services.Configure<SimpleConsoleFormatterOptions>(o =>
        {
            o.SingleLine = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
    }

    private static IEnumerable<string> CommandLineKeys(string[] args) =>
        new ConfigurationBuilder().AddCommandLine(args).Build().AsEnumerable()
            .Where(pair => pair.Value is not null)
            .Select(pair => pair.Key);
}
