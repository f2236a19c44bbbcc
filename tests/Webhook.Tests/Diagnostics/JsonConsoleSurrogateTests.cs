using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Platform.Webhook.Diagnostics;

namespace Platform.Webhook.Tests.Diagnostics;

public sealed class JsonConsoleSurrogateTests
{
    [Fact]
    public void Log_LoneSurrogateInScopeAndMessage_DoesNotThrow()
    {
        using var services = new ServiceCollection().AddWebhookDiagnostics(new ConfigurationBuilder().Build()).BuildServiceProvider();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Platform.Webhook.Test");
        var text = "x\ud800y";

        var thrown = Record.Exception(() =>
        {
            using (logger.BeginScope("Admission {GenerateName} in {Namespace}", text, text))
            {
                logger.LogWarning("Pod {PodName}", text);
            }
        });

        Assert.Null(thrown);
    }
}
