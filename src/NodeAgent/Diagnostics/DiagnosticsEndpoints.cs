using System.Text;

namespace Platform.NodeAgent.Diagnostics;

internal static class DiagnosticsEndpoints
{
    /// <summary><c>/healthz</c>: the process serves. <c>/readyz</c>: 200/503 with every check and its reason.</summary>
    public static void MapDiagnostics(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", static context =>
        {
            context.Response.ContentType = "text/plain; charset=utf-8";
            return context.Response.WriteAsync("ok\n", context.RequestAborted);
        });
        endpoints.MapGet("/readyz", static context =>
        {
            var checks = context.RequestServices.GetServices<IReadinessContributor>().SelectMany(c => c.Checks()).ToList();
            var (ready, json) = ReadinessWriter.Render(checks);
            context.Response.StatusCode = ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
            context.Response.ContentType = "application/json; charset=utf-8";
            return context.Response.WriteAsync(json, Encoding.UTF8, context.RequestAborted);
        });
    }
}
