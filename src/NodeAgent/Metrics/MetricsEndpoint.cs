using System.Text;

namespace Platform.NodeAgent.Metrics;

internal static class MetricsEndpoint
{
    /// <summary><c>/metrics</c>: renders the last snapshot; never calls the driver or the kubelet.</summary>
    public static void MapGpuMetrics(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/metrics", static context =>
        {
            var view = context.RequestServices.GetRequiredService<MetricsViewSource>().Current();
            var text = new StringBuilder(16 * 1024);
            MetricsWriter.Write(text, view);
            context.Response.ContentType = MetricsWriter.ContentType;
            return context.Response.WriteAsync(text.ToString(), context.RequestAborted);
        });
}
