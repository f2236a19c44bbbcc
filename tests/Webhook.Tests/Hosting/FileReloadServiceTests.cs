using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Platform.Webhook.Hosting;

namespace Platform.Webhook.Tests.Hosting;

public sealed class FileReloadServiceTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("webhook-reload-").FullName;

    [Fact]
    public async Task StopAsync_ShutdownTimeSpentWhileACheckRuns_ReturnsWithoutThrowing()
    {
        var time = new FakeTimeProvider();
        using var reloadable = new BlockingReloadableFile(Path.Combine(_directory, "policy.yaml"));
        using var service = new FileReloadService([reloadable], time, NullLogger<FileReloadService>.Instance);
        await service.StartingAsync(CancellationToken.None).WaitAsync(WebhookTestHost.Timeout);
        await service.StartAsync(CancellationToken.None).WaitAsync(WebhookTestHost.Timeout);
        // Off the test thread: the poll's tick runs the check on the thread that advances the clock.
        _ = Task.Run(() => time.Advance(FileReloadService.PollInterval));
        await reloadable.CheckEntered.Task.WaitAsync(WebhookTestHost.Timeout);

        // The host's shutdown timeout ran out (spent by Kestrel's drain) before this service's turn to stop.
        using var spent = new CancellationTokenSource();
        await spent.CancelAsync();
        var stop = service.StopAsync(spent.Token);
        var stopped = await Record.ExceptionAsync(() => stop.WaitAsync(WebhookTestHost.Timeout));
        reloadable.Release();

        Assert.Null(stopped);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
