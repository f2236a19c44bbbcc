using Microsoft.AspNetCore.Server.Kestrel.Core;
using Platform.DevicePlugin.Transport;
using Platform.NodeAgent.Dra.Prepare;
using Platform.NodeAgent.Dra.Registration;

namespace Platform.NodeAgent.Dra.Serving;

/// <summary>
/// One Kestrel server (HTTP/2 cleartext) on both Unix sockets of the kubelet plugin: the DRA service socket
/// in the plugin directory, and the registration socket, bound under a dot name the kubelet's plugin watcher
/// ignores and renamed into place once both listen (a watcher dialling between bind and listen would be
/// refused and retry only a second later). Losing either file means serving both anew: the kubelet then sees a
/// new registration socket and registers again.
/// </summary>
internal sealed class DraSocketServer(DraOptions options, ClaimPreparer preparer, DraRegistrationStatus status, ILoggerFactory loggerFactory) : IAsyncDisposable
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    private WebApplication? _app;
    private (DateTime, DateTime) _pluginSocket;
    private (DateTime, DateTime) _registrationSocket;

    public bool IsRunning => _app is not null;

    public IReadOnlyList<string> SocketPaths => [options.PluginSocketPath, options.RegistrationSocketPath];

    /// <summary>Removes stale sockets, listens on both, and proves both accept connections.</summary>
    /// <exception cref="IOException">Another live process serves one of the paths (another copy of the driver).</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await StopAsync().ConfigureAwait(false);
        foreach (var socket in SocketPaths.Append(options.RegistrationStagingSocketPath))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(socket)!);

            // Kestrel refuses to bind over an existing file: one nobody answers on is a dead process's leftover.
            if (await SocketProbe.IsServedAsync(socket, ProbeTimeout, cancellationToken).ConfigureAwait(false))
            {
                throw new IOException($"{socket} is served by another live process (a second copy of driver {options.DriverName}?); it is left alone");
            }

            File.Delete(socket);
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], EnvironmentName = Environments.Production });

        // The agent's own configuration must not reach this server (a Kestrel:Endpoints section would bind
        // the agent's ports here too), nor may it hook SIGTERM: the agent's host owns shutdown.
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddSingleton<IHostLifetime, NoSignalLifetime>();
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(preparer);
        builder.Services.AddSingleton(status);
        builder.Services.AddGrpc();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.ListenUnixSocket(options.PluginSocketPath, listen => listen.Protocols = HttpProtocols.Http2);
            kestrel.ListenUnixSocket(options.RegistrationStagingSocketPath, listen => listen.Protocols = HttpProtocols.Http2);
        });
        var app = builder.Build();
        app.MapGrpcService<DraRegistrationService>();
        app.MapGrpcService<DraPluginServiceV1>();
        app.MapGrpcService<DraPluginServiceV1Beta1>();
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            _app = app;

            // Listening already when it appears under its name: the plugin watcher's first dial succeeds.
            File.Move(options.RegistrationStagingSocketPath, options.RegistrationSocketPath, overwrite: true);
            _pluginSocket = Identity(options.PluginSocketPath);
            _registrationSocket = Identity(options.RegistrationSocketPath);
            // The plugin watcher dials as soon as the file appears: make sure both paths accept connections.
            // (A connect, not an RPC, so that the GetInfo log lines are the kubelet's alone.)
            foreach (var socket in SocketPaths)
            {
                if (!await SocketProbe.IsServedAsync(socket, ProbeTimeout, cancellationToken).ConfigureAwait(false))
                {
                    throw new IOException($"{socket} does not accept connections after binding it");
                }
            }
        }
        catch
        {
            await StopAsync().ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>True while both socket files are still the ones this server created.</summary>
    public bool SocketsIntact() =>
        _app is not null
        && Identity(options.PluginSocketPath) == _pluginSocket
        && Identity(options.RegistrationSocketPath) == _registrationSocket;

    /// <summary>Stops serving and removes the socket files that are still its own (another driver copy may have bound the path since).</summary>
    public async Task StopAsync()
    {
        var app = Interlocked.Exchange(ref _app, null);
        if (app is null)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await app.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        finally
        {
            await app.DisposeAsync().ConfigureAwait(false);
        }

        // Registration socket first: the kubelet deregisters the plugin as soon as that file goes.
        DeleteIfOwn(options.RegistrationSocketPath, _registrationSocket);
        DeleteIfOwn(options.PluginSocketPath, _pluginSocket);
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private static void DeleteIfOwn(string path, (DateTime, DateTime) identity)
    {
        try
        {
            if (Identity(path) == identity)
            {
                File.Delete(path);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Gone already, or the directory is unmounted during shutdown: nothing of ours is left to clean.
        }
    }

    private static (DateTime, DateTime) Identity(string path)
    {
        var info = new FileInfo(path);
        return Path.Exists(path) ? (info.LastWriteTimeUtc, info.CreationTimeUtc) : default;
    }

    private sealed class NoSignalLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
